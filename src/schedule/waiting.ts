/**
 * Each Job's waiting line (`Entry.waiting`): scheduled runs created `pending` with no
 * attempt, started in instant order when the job's concurrency policy lets them. Fires wait
 * here instead of being judged at once when judging now could be wrong or would lose them:
 * - a run of the job resumed by `load` is in flight but unconfirmed (no status this term):
 *   skipping or replacing it blind recorded a fire `skipped` behind a run that had in fact
 *   ended, at every leader change;
 * - under Forbid, a catch-up fire, or one found due in the same late batch as an earlier
 *   started one, meets an active run: missed fires run one after another, not skipped;
 * - others wait already (order is kept).
 * The runs are stored, so `load` rebuilds the line from the store (./scheduler.ts resume).
 */
import type { Run, RunTrigger } from '../core/run.js';
import type { Decision } from './decisions.js';
import type { Active, Entry } from './entries.js';
import { MAX_BACKLOG } from './missed.js';

/** What the line needs from the scheduler. */
export interface WaitingOps {
  /** The job's active top-level runs. */
  activeOf(job: string): Active[];
  emit(d: Decision): void;
  /** Ends `a` as replaced by run `by` (Replace) and kills its task. */
  replace(a: Active, by: string, now: number): void;
  /** Tracks and launches a waiting run (already stored, so its first attempt is an update). */
  start(e: Entry, run: Run, now: number): void;
}

/** See the file comment. */
export class WaitingLines {
  /** Jobs whose line is being drained (a run ending inside drain() must not re-enter). */
  private readonly draining = new Set<string>();

  constructor(private readonly ops: WaitingOps) {}

  /** Whether a scheduled fire must join the line (see the file comment). */
  mustWait(e: Entry, trigger: RunTrigger, behindBatch: boolean): boolean {
    const policy = e.resource.spec.concurrencyPolicy;
    if (e.resource.kind !== 'Job' || policy === 'Allow' || (trigger !== 'schedule' && trigger !== 'catch-up')) return false;
    if (e.waiting.length > 0) return true;
    const active = this.ops.activeOf(e.name);
    if (active.some((a) => a.unconfirmed)) return true;
    return (trigger === 'catch-up' || behindBatch) && policy === 'Forbid' && active.length > 0;
  }

  /** Stores `run` `pending` with no attempt at the end of the line (bounded), then drains. */
  enqueue(e: Entry, run: Run, now: number): void {
    const behind = this.ops.activeOf(e.name)[0]?.run.id;
    run.reason = `waiting for ${behind ?? 'earlier runs'} to end (concurrencyPolicy ${e.resource.spec.concurrencyPolicy})`;
    this.ops.emit({ type: 'create', run });
    e.waiting.push(run);
    if (e.waiting.length > MAX_BACKLOG) {
      const old = e.waiting.shift()!;
      this.ops.emit({ type: 'update', run: { ...old, state: 'missed', reason: `more than ${MAX_BACKLOG} runs were waiting for their turn`, endedAt: now } });
    }
    this.drain(e, now);
  }

  /**
   * Starts waiting runs, oldest first, as far as the policy lets: nothing while an active
   * run is unconfirmed; with none active the head starts; under Forbid the head is recorded
   * `skipped` if a run was already active when it fell due (and it is not a catch-up run),
   * and keeps waiting otherwise; under Replace the active runs are replaced.
   */
  drain(e: Entry, now: number): void {
    if (this.draining.has(e.name) || e.resource.kind !== 'Job') return;
    this.draining.add(e.name);
    try {
      while (e.waiting.length > 0) {
        const active = this.ops.activeOf(e.name);
        if (active.some((a) => a.unconfirmed)) return;
        const run = e.waiting[0];
        const policy = e.resource.spec.concurrencyPolicy;
        if (active.length > 0 && policy === 'Forbid') {
          const blocking = active.find((a) => a.run.createdAt <= run.scheduledAt);
          if (run.trigger === 'catch-up' || !blocking) return;
          e.waiting.shift();
          this.ops.emit({ type: 'update', run: { ...run, state: 'skipped', reason: `concurrencyPolicy Forbid: ${blocking.run.id} is still active`, endedAt: now } });
          continue;
        }
        e.waiting.shift();
        if (policy === 'Replace') for (const a of active) this.ops.replace(a, run.id, now);
        delete run.reason;
        this.ops.start(e, run, now);
      }
    } finally {
      this.draining.delete(e.name);
    }
  }
}
