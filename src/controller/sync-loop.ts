/**
 * The level-based sync loop (STYLE.md §1-2, controller-runtime `reconcileHandler`).
 * Triggers (poll timer, webhook, file watcher, start) only say "look again": they set a
 * dirty flag, and at most one reconcile runs at a time, so a burst of triggers during a
 * pass coalesces into one more pass. The loop alone owns timing: after a success it waits
 * the poll interval; after a retryable error it backs off exponentially (initial, doubling,
 * capped) through the Clock; a terminal error (e.g. a manifest that does not validate)
 * is not retried: the loop waits for the next trigger or poll, as the same input would fail
 * the same way.
 */
import type { Clock, Timer } from '../ports/clock.js';

export interface SyncLoopOptions {
  clock: Clock;
  /** One full pass: read desired and applied, converge. Throws on failure. */
  reconcile(reason: string): Promise<void>;
  /** Poll interval in ms after a pass (0: no polling, only triggers). */
  pollMs: number;
  /** Exponential backoff for retryable errors. */
  backoff?: { initialMs: number; maxMs: number };
  /** Whether retrying the same pass later may succeed. */
  retryable(err: unknown): boolean;
  /** Told about every failed pass; `retryInMs` is set when a retry is scheduled. */
  onError?(err: unknown, retryInMs: number | undefined): void;
}

/** Defaults like controller-runtime's per-item rate limiter, scaled for a git poll. */
export const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 60_000 };

/** Runs reconcile passes one at a time, on triggers, polls and retries. */
export class SyncLoop {
  private dirty: string | undefined;
  private running: Promise<void> | undefined;
  private timer: Timer | undefined;
  private failures = 0;
  private stopped = false;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly opts: SyncLoopOptions) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
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
    this.timer?.cancel();
    this.timer = undefined;
    await this.running;
  }

  private async drain(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    let delay: number | undefined;
    let next = 'poll';
    while (this.dirty !== undefined && !this.stopped) {
      const reason = this.dirty;
      this.dirty = undefined;
      try {
        await this.opts.reconcile(reason);
        this.failures = 0;
        delay = this.opts.pollMs;
        next = 'poll';
      } catch (err) {
        if (this.opts.retryable(err)) {
          delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.failures++);
          next = 'retry';
          this.opts.onError?.(err, delay);
        } else {
          this.failures = 0;
          delay = this.opts.pollMs;
          next = 'poll';
          this.opts.onError?.(err, undefined);
        }
      }
    }
    this.running = undefined;
    if (this.stopped || this.dirty !== undefined || !delay) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.trigger(next);
    }, delay);
  }
}
