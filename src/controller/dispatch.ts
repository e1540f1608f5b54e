/**
 * The thin loop around the pure schedule core (src/schedule/scheduler.ts): every call into
 * the core and the execution of its decisions go through one queue, so batches are written
 * in the order they were decided; after each batch a single Clock timer is armed for the
 * core's `nextWakeAt()` (controller-runtime `reconcileHandler`, graphile/worker `cronMatcher`: the loop owns timing, the core is pure).
 * Mesos status changes are translated into `taskStarted` / `taskEnded`.
 */
import { KairosError, messageOf } from '../core/errors.js';
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { Clock } from '../ports/clock.js';
import { alwaysGeneric, RetryLoop, type BackoffPolicy } from '../core/retry.js';
import type { Logger } from '../ports/logger.js';
import type { KnownTask } from '../ports/mesos.js';
import { isFinalOutcome } from '../core/outcome.js';
import type { Decision } from '../schedule/decisions.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { RunLedger } from './run-ledger.js';
import type { RunLifecycle, StatusFacts } from './runs.js';
import type { AttemptChange } from './task-status.js';

/** What the dispatch loop drives. */
export interface DispatchDeps {
  scheduler: Scheduler;
  lifecycle: RunLifecycle;
  ledger: RunLedger;
  clock: Clock;
  logger: Logger;
  /** Called after every batch that ended runs, with their jobs (history bounding). */
  afterRunsEnded(jobs: Set<string>): Promise<void>;
  /**
   * Re-reads the runs from the store and reloads the schedule core from them (`load`),
   * returning its decisions: after a failed batch the core has decided things the store
   * may not hold (a run never written) and the store may hold things never acted on (a run
   * written but not launched).
   */
  resync(now: number): Promise<Decision[]>;
}

/** Backoff of a failed batch: retried (after a reload from the store) from 1 s, doubling up to 60 s. */
export const RESYNC_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000 };

/**
 * After a restart: the attempts that were placed on an agent (intent written, ACCEPT maybe
 * sent) are handed to reconciliation as known tasks; the schedule core itself re-queues
 * the ones never placed (`load`).
 */
export function knownTasks(runs: Run[]): KnownTask[] {
  const known: KnownTask[] = [];
  for (const run of runs) {
    const a = run.attempts.at(-1);
    if (!isTerminalRun(run.state) && a?.agentId && a.endedAt === undefined) known.push({ taskId: a.taskId, agentId: a.agentId, ...(a.cluster !== undefined && { cluster: a.cluster }) });
  }
  return known;
}

/** Work refused after `stop()`: the caller must not treat it as done (a status stays unacknowledged). */
export function notLeading(): KairosError {
  return new KairosError('E_UNAVAILABLE', 'this controller is not leading: nothing is scheduled or recorded');
}

/** Serialises core calls and decision execution; arms the wake-up timer. */
export class Dispatch {
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /**
   * The one wake-up timer and the failed batches in a row: while any failed, the core is
   * reloaded from the store before the next batch. Every failure is retried (generic): a
   * reload is how the core and the store agree again.
   */
  private readonly retry: RetryLoop;

  constructor(private readonly d: DispatchDeps) {
    this.retry = new RetryLoop(d.clock, RESYNC_BACKOFF, alwaysGeneric);
  }

  /**
   * Queues `decide` (a call into the core) and the execution of its decisions. Resolves
   * when they were carried out; a failure is logged and rethrown to the caller.
   */
  submit(decide: () => Decision[], facts?: StatusFacts): Promise<void> {
    if (this.stopped) return Promise.reject(notLeading());
    const next = this.chain.then(async () => {
      if (this.stopped) throw notLeading();
      if (this.retry.failures > 0) {
        await this.d.lifecycle.execute(await this.d.resync(this.d.clock.now()));
        this.retry.succeeded();
      }
      const decisions = decide();
      await this.d.lifecycle.execute(decisions, facts);
      const ended = new Set<string>();
      for (const x of decisions) if ((x.type === 'create' || x.type === 'update') && isTerminalRun(x.run.state)) ended.add(x.run.job);
      if (ended.size) await this.d.afterRunsEnded(ended);
      this.arm();
    });
    this.chain = next.catch((err) => {
      if (this.stopped) return;
      const retryInMs = this.retry.failed(err)!;
      this.d.logger.error('dispatch failed: reloading from the store', { error: messageOf(err), retryInMs });
      this.armIn(retryInMs);
    });
    return next;
  }

  /** The core's decisions about a Mesos status that started or ended an attempt, written with its facts. */
  onAttempt(change: AttemptChange, facts: StatusFacts): Promise<void> {
    const { run, attempt, started, final } = change;
    const outcome = final && attempt.outcome && isFinalOutcome(attempt.outcome) ? attempt.outcome : undefined;
    return this.submit(() => {
      const s = this.d.scheduler;
      const out: Decision[] = [];
      if (started) out.push(...s.taskStarted(run.id, attempt.n, attempt.startedAt!));
      if (outcome) out.push(...s.taskEnded(run.id, attempt.n, outcome, attempt.endedAt!, { exitStatus: attempt.exitStatus, message: attempt.message, mesosState: attempt.mesosState }));
      if (outcome && !s.activeRun(run.id) && !out.some((x) => x.type === 'update' && x.run.id === run.id)) {
        // A run the core does not track (adopted, or its job is gone): end it as Mesos says.
        const state = outcome === 'succeeded' || outcome === 'killed' ? outcome : outcome === 'failed' || outcome === 'error' ? 'failed' : 'lost';
        out.push({ type: 'update', run: { ...run, state: isTerminalRun(run.state) ? run.state : state, endedAt: run.endedAt ?? attempt.endedAt } });
      }
      return out;
    }, facts);
  }

  /**
   * A status that changed nothing on the run (e.g. a reconciliation answer RUNNING for an
   * adopted run): the core still learns the run's state is known, when it was waiting for
   * that to judge the job's next fires.
   */
  onSeen(runId: string): void {
    if (!this.d.scheduler.awaitsStatus(runId)) return;
    this.submit(() => this.d.scheduler.taskSeen(runId, this.d.clock.now())).catch(() => {});
  }

  /** Accepts work again after `stop()` (leadership regained). */
  start(): void {
    this.stopped = false;
  }

  /** Stops the wake-up timer; queued work is dropped. Resolves when the batch in flight ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retry.cancel();
    await this.chain;
  }

  /** (Re)arms the single timer for the core's next due time. */
  private arm(): void {
    const at = this.d.scheduler.nextWakeAt();
    if (at === undefined) this.retry.disarm();
    else this.armIn(at - this.d.clock.now());
  }

  /** (Re)arms the single timer: a tick in `ms` (which first resyncs after a failure). */
  private armIn(ms: number): void {
    this.retry.disarm();
    if (this.stopped) return;
    this.retry.arm(ms, () => {
      this.submit(() => this.d.scheduler.tick(this.d.clock.now())).catch(() => {});
    });
  }
}
