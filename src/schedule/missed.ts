/**
 * Which due fire instants run and which are recorded as missed, after any gap in ticking
 * (controller down, leader change, a long GC pause). Pure.
 *
 * Rules, in order, for each fire instant t found due at `now`:
 * 1. `startingDeadlineSeconds` (Kubernetes CronJob): if now − t exceeds it, t is recorded
 *    `missed`, whatever the catch-up policy.
 * 2. Otherwise, if now − t ≤ ON_TIME_MS, t is on time and runs (trigger `schedule`).
 * 3. Otherwise t was missed by an outage and `catchUp` decides:
 *    `none` records it missed; `latest` runs it only if it is the newest due instant
 *    (trigger `catch-up`), recording older ones missed; `all` runs every one (`catch-up`).
 * Bound: only the newest MAX_BACKLOG due instants of a job are considered at all; older
 * ones are dropped (neither run nor recorded; reported as one `dropped` decision), so a
 * week-long outage of a per-minute job costs at most MAX_BACKLOG runs or records.
 */
import type { CatchUpPolicy } from '../core/types.js';
import type { RunTrigger } from '../core/run.js';
import type { CompiledSchedule } from './index.js';

/** At most this many overdue fire instants per job are run or recorded after a gap. */
export const MAX_BACKLOG = 100;
/** A fire instant found due within this many ms of its time counts as on time. */
export const ON_TIME_MS = 60_000;
const HOUR = 3_600_000;

/** The due instants of one job: the newest MAX_BACKLOG of (cursor, now], ascending. */
export interface Backlog {
  instants: number[];
  /** Set when older instants were left out: they lie strictly between `dropFrom` and instants[0]. */
  dropFrom?: number;
}

/**
 * Collects the fire instants in (cursor, now]. Looks back from `now` in doubling windows so
 * that a long outage costs O(MAX_BACKLOG) evaluations, not one per missed instant.
 */
export function collectDue(schedule: CompiledSchedule, cursor: number, now: number): Backlog {
  for (let window = HOUR; ; window *= 2) {
    const from = Math.max(cursor, now - window);
    const instants: number[] = [];
    for (let t = schedule.next(from); t !== undefined && t <= now; t = schedule.next(t)) {
      instants.push(t);
      if (instants.length > MAX_BACKLOG) instants.shift();
    }
    if (from === cursor || instants.length >= MAX_BACKLOG) {
      const first = schedule.next(cursor);
      return instants.length > 0 && first !== undefined && first < instants[0] ? { instants, dropFrom: cursor } : { instants };
    }
  }
}

/** The verdict on one due instant. */
export interface DueVerdict {
  at: number;
  run: boolean;
  trigger: RunTrigger;
  /** Why it was not run, for the run record. */
  reason?: string;
}

/** Applies the rules of the module comment to ascending due instants. */
export function judgeDue(instants: number[], now: number, policy: { catchUp: CatchUpPolicy; startingDeadlineSeconds?: number }): DueVerdict[] {
  const newest = instants[instants.length - 1];
  return instants.map((at) => {
    const late = now - at;
    const deadline = policy.startingDeadlineSeconds;
    if (deadline !== undefined && late > deadline * 1000) {
      return { at, run: false, trigger: 'schedule', reason: `found due ${Math.round(late / 1000)} s late, past startingDeadlineSeconds ${deadline}` };
    }
    if (late <= ON_TIME_MS) return { at, run: true, trigger: 'schedule' };
    if (policy.catchUp === 'all' || (policy.catchUp === 'latest' && at === newest)) return { at, run: true, trigger: 'catch-up' };
    return { at, run: false, trigger: 'schedule', reason: `missed while no controller was scheduling (catchUp: ${policy.catchUp})` };
  });
}
