/**
 * Backfill progress, pure: a job's runs grouped by the backfill that created them
 * (`Run.backfill`), with counts the CLI's progress bar and the UI's group show.
 */
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { BackfillProgress } from '../ports/charts.js';

/** The backfills among `runs` (top-level runs of one job), newest backfill first, runs by instant. */
export function backfillProgress(runs: readonly Run[]): BackfillProgress[] {
  const groups = new Map<string, BackfillProgress>();
  for (const r of runs) {
    if (!r.backfill || r.dagRunId !== undefined) continue;
    let g = groups.get(r.backfill.id);
    if (!g) {
      g = { id: r.backfill.id, job: r.job, maxParallel: r.backfill.maxParallel, total: 0, queued: 0, active: 0, succeeded: 0, failed: 0, done: false, runs: [] };
      groups.set(r.backfill.id, g);
    }
    g.total++;
    if (r.state === 'succeeded') g.succeeded++;
    else if (isTerminalRun(r.state)) g.failed++;
    else if (r.state === 'pending' && r.attempts.length === 0) g.queued++;
    else g.active++;
    g.runs.push({ id: r.id, state: r.state, scheduledAt: r.scheduledAt });
  }
  const out = [...groups.values()];
  for (const g of out) {
    g.done = g.queued === 0 && g.active === 0;
    g.runs.sort((a, b) => a.scheduledAt - b.scheduledAt);
  }
  // ids are `backfill-<ISO instant>`: their order is their time order
  return out.sort((a, b) => (a.id < b.id ? 1 : -1));
}
