/**
 * The level-based sync loop (controller-runtime `reconcile.go` and `reconcileHandler`).
 * Triggers (poll timer, webhook, file watcher, start) only say "look again": they set a
 * dirty flag, and at most one reconcile runs at a time, so a burst of triggers during a
 * pass coalesces into one more pass. The loop alone owns timing, through its
 * {@link RetryLoop} (src/core/retry.ts, the one retry policy): after a success it waits the
 * poll interval; a generic error backs off exponentially (initial, doubling, capped), a
 * waiting one retries when it says; a stalling error (e.g. a manifest that does not
 * validate) is not retried: the loop waits for the next trigger or poll, as the same input
 * would fail the same way.
 */
import type { Clock } from '../ports/clock.js';
import { handlingOf, RetryLoop, type BackoffPolicy, type Handling } from '../core/retry.js';

export interface SyncLoopOptions {
  clock: Clock;
  /** One full pass: read desired and applied, converge. Throws on failure. */
  reconcile(reason: string): Promise<void>;
  /** Poll interval in ms after a pass (0: no polling, only triggers). */
  pollMs: number;
  /** Exponential backoff for generic errors. */
  backoff?: BackoffPolicy;
  /** How a failed pass is handled (default: what the error says, `handlingOf`). */
  handling?(err: unknown): Handling;
  /** Told about every failed pass; `retryInMs` is set when a retry is scheduled. */
  onError?(err: unknown, retryInMs: number | undefined): void;
}

/** Defaults like controller-runtime's per-item rate limiter, scaled for a git poll. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000 };

/** Runs reconcile passes one at a time, on triggers, polls and retries. */
export class SyncLoop {
  private dirty: string | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly retry: RetryLoop;

  constructor(private readonly opts: SyncLoopOptions) {
    this.retry = new RetryLoop(opts.clock, opts.backoff ?? DEFAULT_BACKOFF, opts.handling ?? handlingOf);
  }

  /** Asks for a pass. Coalesces with any pass already asked for; ignored after stop(). */
  trigger(reason: string): void {
    if (this.stopped) return;
    this.dirty ??= reason;
    if (!this.running) this.running = this.drain();
  }

  /** Whether a pass is running or asked for. */
  busy(): boolean {
    return this.running !== undefined;
  }

  /** Stops polling and triggers; resolves when the pass in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dirty = undefined;
    this.retry.cancel();
    await this.running;
  }

  private async drain(): Promise<void> {
    this.retry.disarm();
    let delay: number | undefined;
    let next = 'poll';
    while (this.dirty !== undefined && !this.stopped) {
      const reason = this.dirty;
      this.dirty = undefined;
      try {
        await this.opts.reconcile(reason);
        this.retry.succeeded();
        delay = this.opts.pollMs;
        next = 'poll';
      } catch (err) {
        const retryInMs = this.retry.failed(err);
        delay = retryInMs ?? this.opts.pollMs;
        next = retryInMs === undefined ? 'poll' : 'retry';
        this.opts.onError?.(err, retryInMs);
      }
    }
    this.running = undefined;
    if (this.stopped || this.dirty !== undefined || !delay) return;
    this.retry.arm(delay, () => this.trigger(next));
  }
}
