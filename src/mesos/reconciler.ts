/**
 * Drives reconciliation (the pure state machine of reconcile.ts, mesos.apache.org/documentation/latest/reconciliation/)
 * through a Caller: explicit RECONCILE rounds with backoff, then one implicit round. Runs
 * after every SUBSCRIBED, after a refused ACCEPT and on its own timer; a new run
 * supersedes the one in flight, and a lost stream or `stop()` ends it.
 */
import { messageOf } from '../core/errors.js';
import { RetryLoop } from '../core/retry.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Caller } from './caller.js';
import { Reconciliation, type ReconcileBackoff } from './reconcile.js';

/** What the reconciler reads and calls. */
export interface ReconcilerDeps {
  clock: Clock;
  caller: Caller;
  log: Logger;
  intervalMs: number;
  backoff: ReconcileBackoff;
  /** The tasks believed live (TaskBook.live). */
  live(): { taskId: string; agentId?: string }[];
  /** Whether a stream is up: a run stops at once without one. */
  connected(): boolean;
  /** A run finished; `ms` is how long it took (the reconcile duration metric). */
  reconciled(e: { unanswered: string[]; ms: number }): void;
}

/** One framework's reconciliation runs. */
export class Reconciler {
  /** The periodic timer and the sleeps between rounds (src/core/retry.ts), ended by `stop()`. */
  private readonly timers: RetryLoop;
  private current: Reconciliation | undefined;
  private gen = 0;
  private stopped = true;

  constructor(private readonly d: ReconcilerDeps) {
    this.timers = new RetryLoop(d.clock, d.backoff);
  }

  /** Allows runs (the framework started). */
  start(): void {
    this.stopped = false;
  }

  /** An update for `taskId` arrived at `at`: it answers the run in flight. */
  observe(taskId: string, at: number): void {
    this.current?.observe(taskId, at);
  }

  /** Explicit then implicit reconciliation; resolves when done or superseded. */
  async run(): Promise<void> {
    if (this.stopped) return; // e.g. an ACCEPT that failed after stop(): no timer may outlive it
    const gen = ++this.gen;
    this.timers.arm(this.d.intervalMs, () => void this.run());
    const startedAt = this.d.clock.now();
    const r = new Reconciliation(startedAt, this.d.live(), this.d.backoff);
    this.current = r;
    try {
      for (;;) {
        if (gen !== this.gen || !this.d.connected()) return;
        const step = r.next();
        if (step.kind === 'done') {
          if (step.unanswered.length > 0) this.d.log.warn('reconciliation left tasks unanswered', { count: step.unanswered.length, first: step.unanswered[0] });
          this.d.reconciled({ unanswered: step.unanswered, ms: this.d.clock.now() - startedAt });
          return;
        }
        if (step.kind === 'implicit') {
          await this.d.caller.call({ type: 'RECONCILE', reconcile: {} });
          continue;
        }
        await this.d.caller.call({ type: 'RECONCILE', reconcile: { tasks: step.tasks.map((t) => ({ task_id: { value: t.taskId }, ...(t.agentId ? { agent_id: { value: t.agentId } } : {}) })) } });
        await this.timers.sleep(step.waitMs);
      }
    } catch (err) {
      this.d.log.warn('reconciliation interrupted', { error: messageOf(err) });
    }
  }

  /** The stream is gone: the run in flight and the timer end (the next SUBSCRIBED starts anew). */
  cancel(): void {
    this.timers.disarm();
    this.gen++;
  }

  /** No run from now on. */
  stop(): void {
    this.stopped = true;
    this.cancel();
    this.timers.cancel();
  }
}
