/**
 * Bounded run history. Per job, the newest `history.succeeded` succeeded runs and the
 * newest `history.failed` runs that ended any other way are kept, like Kubernetes
 * CronJob `successfulJobsHistoryLimit` (3) / `failedJobsHistoryLimit` (1); on top, a global
 * cap keeps the store small (ZooKeeper node-count and size limits, chronos #773/#873).
 * Active runs are never dropped; a DAG's task runs go with their DAG run; and the newest
 * run of each job is always kept, whatever the limits: after a restart the schedule core
 * derives the job's cursor from it, so no fire instant is computed (and run) again. For the
 * same reason the manual run with the highest n of each job is kept: the next manual id
 * `<job>@manual-<n+1>` is derived from it, so pruning can never make an id be reused.
 */
import type { Run } from '../core/run.js';
import { manualRunNumber } from '../core/ids.js';
import { isTerminalRun } from '../core/types.js';
import { newestFirst } from './run-ledger.js';

/** Kubernetes CronJob defaults, used for jobs no longer in the manifests. */
export const DEFAULT_HISTORY = { succeeded: 3, failed: 1 };

/**
 * The ids of runs to delete so that every job is within its limits and all finished runs
 * together within `cap`. Pure: the caller deletes them.
 */
export function overHistory(
  runs: Run[],
  limitsOf: (job: string) => { succeeded: number; failed: number } | undefined,
  cap: number,
): string[] {
  const top = runs.filter((r) => r.dagRunId === undefined && isTerminalRun(r.state));
  const byJob = new Map<string, Run[]>();
  for (const r of top) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);

  const drop = new Set<string>();
  const kept: Run[] = [];
  for (const [job, list] of byJob) {
    const limits = limitsOf(job) ?? DEFAULT_HISTORY;
    let ok = 0;
    let bad = 0;
    const [newest, ...rest] = list.sort(newestFirst);
    const pinned = new Set([newest.id, highestManual(list)]);
    for (const r of [newest, ...rest]) {
      const withinLimit = r.state === 'succeeded' ? ok++ < limits.succeeded : bad++ < limits.failed;
      if (withinLimit || pinned.has(r.id)) kept.push(r);
      else drop.add(r.id);
    }
  }
  const pinned = new Set([...byJob.values()].flatMap((l) => [l[0].id, highestManual(l)]));
  for (const r of kept.sort(newestFirst).slice(cap)) if (!pinned.has(r.id)) drop.add(r.id);

  const children = runs.filter((r) => r.dagRunId !== undefined && drop.has(r.dagRunId)).map((r) => r.id);
  return [...drop, ...children];
}

/** The id of the job's manual run with the highest n ("" when it has none). */
function highestManual(runs: Run[]): string {
  let best = '';
  let max = 0;
  for (const r of runs) {
    const n = manualRunNumber(r.id) ?? 0;
    if (n > max) [best, max] = [r.id, n];
  }
  return best;
}
