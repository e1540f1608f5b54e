/**
 * SLA checks (pure): `spec.sla.finishWithinSeconds` is measured from the run's scheduled
 * instant (Airflow `sla`). A run breaches it when it is still unfinished at the deadline or
 * finished after it; the breach is recorded once on the run (`slaMissedAt`), and that write
 * raises `sla_missed` (src/notify/events.ts).
 */
import type { Run } from '../core/run.js';
import { isTerminalRun, type AppliedResource } from '../core/types.js';

/** Epoch ms by which the run must have finished, when its job has an SLA. */
export function slaDeadline(run: Run, applied: AppliedResource | undefined): number | undefined {
  const sla = applied?.resource.spec.sla;
  return sla ? run.scheduledAt + sla.finishWithinSeconds * 1000 : undefined;
}

/**
 * Whether `run` breached its SLA as of `now` and was not flagged yet. Runs that ended
 * before the job (with its SLA) was applied are not judged by a rule they did not have;
 * missed and skipped runs never ran, so they have no finish to judge (they notify as missed).
 */
export function breachesSla(run: Run, applied: AppliedResource | undefined, now: number): boolean {
  if (run.task !== undefined || run.slaMissedAt !== undefined || run.state === 'missed' || run.state === 'skipped') return false;
  const deadline = slaDeadline(run, applied);
  if (deadline === undefined || !applied) return false;
  if (!isTerminalRun(run.state)) return now >= deadline;
  return run.endedAt !== undefined && run.endedAt > deadline && run.endedAt >= applied.appliedAt;
}

/** The runs to flag now. */
export function slaBreaches(runs: Iterable<Run>, appliedOf: (job: string) => AppliedResource | undefined, now: number): Run[] {
  return [...runs].filter((r) => breachesSla(r, appliedOf(r.job), now));
}
