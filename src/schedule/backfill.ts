/**
 * Backfill, pure: which scheduled instants of a job a backfill over a window covers, what
 * it does for each (run it, re-run the stored run under the same id, or leave it), how
 * many of its runs may start now, and the queue of its runs not started yet. The
 * scheduler (./scheduler.ts) applies these; the controller and CLI only carry them out.
 *
 * Rules:
 * - The instants are the job's schedule's fire instants in [from, to] (both inclusive),
 *   the same instants and so the same run ids (`<job>@<instant>`, src/core/ids.ts) as
 *   scheduled runs: an instant the job already ran has a run under that id.
 * - An instant whose run exists and ran (succeeded, failed, killed, timed_out, lost) is
 *   skipped unless `rerun` says `failed` (re-runs every outcome but success) or `all`. One
 *   that never ran (`missed`, `skipped`) is run: that gap is what backfill fills. One still
 *   active is always left alone.
 * - Parallelism: under `concurrencyPolicy: Allow` at most `maxParallel` runs of the
 *   backfill are active at once; under `Forbid` and `Replace` a backfill run starts only
 *   when no run of the job is active, so it never kills a run nor is recorded skipped.
 *   Scheduled runs keep their own policy: a scheduled fire while a backfill run is active
 *   is skipped under Forbid, as with any other active run.
 */
import { KairosError } from '../core/errors.js';
import { scheduledRunId } from '../core/ids.js';
import type { Run } from '../core/run.js';
import { isTerminalRun, type ConcurrencyPolicy, type RunState } from '../core/types.js';
import type { CompiledSchedule } from './index.js';

/** Most instants one backfill may cover: bigger windows are split by the caller. */
export const MAX_BACKFILL_INSTANTS = 1000;
/** Highest `maxParallel` accepted. */
export const MAX_BACKFILL_PARALLEL = 100;

/** Which existing runs a backfill runs again. */
export type RerunMode = 'none' | 'failed' | 'all';

/** What the caller asks for. */
export interface BackfillRequest {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, inclusive; not after now. */
  to: number;
  maxParallel: number;
  rerun: RerunMode;
}

/** What a backfill does for one instant. */
export interface BackfillItem {
  at: number;
  runId: string;
  /** `run`: no run yet; `rerun`: the stored run is reset and run again; `skip`: left alone. */
  action: 'run' | 'rerun' | 'skip';
  /** State of the run stored under `runId`, if any. */
  existing?: RunState;
}

/** States of runs whose task ran (or was started): these are "already ran". */
const RAN: ReadonlySet<RunState> = new Set(['succeeded', 'failed', 'killed', 'timed_out', 'lost']);

/** Throws E_INVALID naming the field when the request cannot be carried out. */
export function checkBackfillRequest(req: BackfillRequest, now: number): void {
  const bad = (field: string, msg: string) => new KairosError('E_INVALID', `${field}: ${msg}`);
  if (!Number.isFinite(req.from)) throw bad('from', 'expected an ISO 8601 instant');
  if (!Number.isFinite(req.to)) throw bad('to', 'expected an ISO 8601 instant');
  if (req.from > req.to) throw bad('from', `is after to (${new Date(req.to).toISOString()})`);
  if (req.to > now) throw bad('to', `is in the future (now is ${new Date(now).toISOString()}); backfill fills the past`);
  if (!Number.isInteger(req.maxParallel) || req.maxParallel < 1 || req.maxParallel > MAX_BACKFILL_PARALLEL) {
    throw bad('maxParallel', `expected an integer from 1 to ${MAX_BACKFILL_PARALLEL}`);
  }
  if (!['none', 'failed', 'all'].includes(req.rerun)) throw bad('rerun', 'expected none, failed or all');
}

/** The schedule's fire instants in [from, to], ascending; E_INVALID beyond MAX_BACKFILL_INSTANTS. */
export function backfillInstants(schedule: CompiledSchedule, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = schedule.next(from - 1); t !== undefined && t <= to; t = schedule.next(t)) {
    if (out.length === MAX_BACKFILL_INSTANTS) {
      throw new KairosError('E_INVALID', `the window holds more than ${MAX_BACKFILL_INSTANTS} scheduled instants: backfill a shorter window`);
    }
    out.push(t);
  }
  return out;
}

/** Decides each instant per the module comment; `existing` looks a run up by id. */
export function planBackfill(job: string, instants: number[], existing: (runId: string) => Run | undefined, rerun: RerunMode): BackfillItem[] {
  return instants.map((at) => {
    const runId = scheduledRunId(job, at);
    const old = existing(runId);
    if (!old) return { at, runId, action: 'run' };
    const again = !isTerminalRun(old.state)
      ? false
      : !RAN.has(old.state) || rerun === 'all' || (rerun === 'failed' && old.state !== 'succeeded');
    return { at, runId, action: again ? 'rerun' : 'skip', existing: old.state };
  });
}

/**
 * How many more runs of a backfill may start now, given the job's policy, the backfill's
 * bound, and how many runs are active (of the job at all, and of this backfill).
 */
export function backfillSlots(policy: ConcurrencyPolicy, maxParallel: number, activeOfJob: number, activeOfBackfill: number): number {
  if (policy === 'Allow') return Math.max(0, maxParallel - activeOfBackfill);
  return activeOfJob === 0 ? 1 : 0;
}

/** Whether a stored run is a backfill run that was queued and never started. */
export function isQueuedBackfill(run: Run, hasTaskRuns: boolean): boolean {
  return run.backfill !== undefined && run.state === 'pending' && run.attempts.length === 0 && !hasTaskRuns;
}

/** The runs backfills created and did not start yet, per job, oldest instant first. */
export class BackfillQueue {
  private byJob = new Map<string, Run[]>();

  /** Queues a run (kept in instant order). */
  add(run: Run): void {
    const list = this.byJob.get(run.job) ?? [];
    let i = list.length;
    while (i > 0 && list[i - 1].scheduledAt > run.scheduledAt) i--;
    list.splice(i, 0, run);
    this.byJob.set(run.job, list);
  }

  /** The next run of a job to start, if any. */
  peek(job: string): Run | undefined {
    return this.byJob.get(job)?.[0];
  }

  /** Removes and returns the next run of a job. */
  shift(job: string): Run | undefined {
    return this.byJob.get(job)?.shift();
  }

  /** Removes one queued run by id (a kill before it started). */
  remove(runId: string): Run | undefined {
    for (const list of this.byJob.values()) {
      const i = list.findIndex((r) => r.id === runId);
      if (i >= 0) return list.splice(i, 1)[0];
    }
    return undefined;
  }

  /** Removes and returns every queued run of a job (the job was pruned). */
  drop(job: string): Run[] {
    const list = this.byJob.get(job) ?? [];
    this.byJob.delete(job);
    return list;
  }

  /** The jobs with queued runs. */
  jobs(): string[] {
    return [...this.byJob.keys()];
  }
}
