/**
 * DAG trigger rules (Airflow's `trigger_rule`, airflow/utils/trigger_rule.py) and how a
 * DAG run's state follows from its tasks'. Pure.
 *
 * A task's upstream outcome is one of: not finished yet (undefined or a non-terminal
 * state), `succeeded`, `skipped`, or failed (`failed`, `timed_out`, `lost`, `killed`,
 * `missed`). A rule answers `run` (start the task now), `wait`, or `skip` (it can no longer
 * hold, so the task is recorded skipped, which in turn feeds its own downstream).
 */
import { isTerminalRun, type DagTaskSpec, type RunState, type TriggerRule } from '../core/types.js';

/** What a task whose upstream is in the given states should do now. */
export type TriggerVerdict = 'run' | 'wait' | 'skip';

const FAILED: ReadonlySet<RunState> = new Set(['failed', 'timed_out', 'lost', 'killed', 'missed']);

/** Whether a terminal task state counts as failed for trigger rules and DAG run state. */
export function isFailedRun(state: RunState): boolean {
  return FAILED.has(state);
}

/**
 * Evaluates `rule` over the states of a task's upstream tasks (undefined: not created
 * yet). A task without upstream always runs.
 */
export function evaluateTrigger(rule: TriggerRule, upstream: (RunState | undefined)[]): TriggerVerdict {
  if (upstream.length === 0) return 'run';
  let done = 0;
  let ok = 0;
  let failed = 0;
  let skipped = 0;
  for (const s of upstream) {
    if (s === undefined || !isTerminalRun(s)) continue;
    done++;
    if (s === 'succeeded') ok++;
    else if (s === 'skipped') skipped++;
    else failed++;
  }
  const all = done === upstream.length;
  switch (rule) {
    case 'all_succeeded':
      return ok === upstream.length ? 'run' : failed + skipped > 0 ? 'skip' : 'wait';
    case 'all_done':
      return all ? 'run' : 'wait';
    case 'all_failed':
      return failed === upstream.length ? 'run' : ok + skipped > 0 ? 'skip' : 'wait';
    case 'one_succeeded':
      return ok > 0 ? 'run' : all ? 'skip' : 'wait';
    case 'one_failed':
      return failed > 0 ? 'run' : all ? 'skip' : 'wait';
    case 'none_failed':
      return failed > 0 ? 'skip' : all ? 'run' : 'wait';
    case 'none_failed_min_one_success':
      return failed > 0 ? 'skip' : !all ? 'wait' : ok > 0 ? 'run' : 'skip';
    case 'none_skipped':
      return skipped > 0 ? 'skip' : all ? 'run' : 'wait';
  }
}

/** Rules whose skip means "an upstream failed" (Airflow's `upstream_failed`), not a plain skip. */
const SKIPS_ON_FAILURE: ReadonlySet<TriggerRule> = new Set(['all_succeeded', 'one_succeeded', 'none_failed', 'none_failed_min_one_success']);

/**
 * A DAG run's state from its tasks' (`state` undefined: task not created yet), the way
 * Airflow derives it from its leaf tasks (airflow/models/dagrun.py `update_state`):
 * `running` while any task is unfinished; then `failed` if any leaf task (one no other task
 * depends on) failed or was skipped because an upstream failed (Airflow's
 * `upstream_failed`: a skip by `all_succeeded`, `one_succeeded`, `none_failed` or
 * `none_failed_min_one_success` with a failed, or so skipped, upstream); else `succeeded`.
 * So a failure that a downstream `one_failed` / `all_done` leaf handled does not fail the
 * run, while one that kept a normal leaf from running does.
 */
export function dagRunState(tasks: readonly DagTaskSpec[], state: (task: string) => RunState | undefined): RunState {
  const finished = (name: string) => {
    const s = state(name);
    return s !== undefined && isTerminalRun(s);
  };
  if (!tasks.every((t) => finished(t.name))) return 'running';
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const memo = new Map<string, boolean>();
  const failedLike = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const t = byName.get(name);
    const s = state(name)!;
    const v = isFailedRun(s) || (s === 'skipped' && !!t && SKIPS_ON_FAILURE.has(t.trigger) && t.dependsOn.some(failedLike));
    memo.set(name, v);
    return v;
  };
  const upstreamOfSome = new Set(tasks.flatMap((t) => t.dependsOn));
  return tasks.some((t) => !upstreamOfSome.has(t.name) && failedLike(t.name)) ? 'failed' : 'succeeded';
}
