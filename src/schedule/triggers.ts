/**
 * DAG trigger rules (Airflow's `trigger_rule`, airflow/utils/trigger_rule.py) and how a
 * DAG run's state follows from its tasks'. Pure.
 *
 * A task's upstream outcome is one of: not finished yet (undefined or a non-terminal
 * state), `succeeded`, `skipped`, or failed (`failed`, `timed_out`, `lost`, `killed`,
 * `missed`). A rule answers `run` (start the task now), `wait`, or `skip` (it can no longer
 * hold, so the task is recorded skipped, which in turn feeds its own downstream).
 */
import { isTerminalRun, type RunState, type TriggerRule } from '../core/types.js';

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

/**
 * A DAG run's state from its tasks' (undefined: task not created yet): `running` while
 * any task is unfinished; once all are finished, `failed` if any task failed (even one
 * whose failure a `one_failed` / `all_done` task handled: the run still reports it, as
 * Argo Workflows does without `continueOn`), else `succeeded` (skipped tasks are fine).
 */
export function dagRunState(tasks: (RunState | undefined)[]): RunState {
  if (tasks.some((s) => s === undefined || !isTerminalRun(s))) return 'running';
  return tasks.some((s) => isFailedRun(s!)) ? 'failed' : 'succeeded';
}
