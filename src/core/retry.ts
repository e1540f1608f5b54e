/**
 * The one retry policy. An error says how it is handled (fluxcd/source-controller's
 * `internal/error` Stalling / Waiting / Generic), and one helper, {@link RetryLoop}, owns
 * the backoff of every loop that retries (the sync loop, Dispatch, the start of a
 * leadership term, the Mesos resubscription), so "how long until the next try" is decided
 * in one place and always through the Clock port.
 *
 * - **stalling**: the same input fails the same way (a manifest that does not validate, a
 *   rewind, a mass prune, a fenced write): not retried; the loop waits for new input.
 * - **waiting**: a known condition that clears by itself after a while: retried after the
 *   `requeueAfterMs` the error names, without growing the backoff.
 * - **generic**: anything that may succeed when tried again (the source, ZooKeeper or the
 *   master unreachable, a lost compare-and-set): retried with capped exponential backoff.
 */
import type { Clock, Timer } from '../ports/clock.js';
import { isRetryable, KairosError, type ErrorCode } from './errors.js';

/** How a failure is handled by the loop that met it. */
export type Handling = { kind: 'stalling' } | { kind: 'waiting'; requeueAfterMs: number } | { kind: 'generic' };

/** Capped exponential backoff: `initialMs × 2^n` for the n-th failure in a row (from 0), at most `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** An error that names when to try again (fluxcd `Waiting` with `RequeueAfter`). */
export class WaitingError extends KairosError {
  constructor(
    code: ErrorCode,
    reason: string,
    readonly requeueAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(code, reason, options);
    this.name = 'WaitingError';
  }
}

/**
 * How `err` is handled: a {@link WaitingError} waits, a KairosError whose code may succeed
 * later (`isRetryable`) is generic, everything else stalls. An error that is not a
 * KairosError was not thrown on purpose: retrying it would only repeat a bug, so it stalls.
 */
export function handlingOf(err: unknown): Handling {
  if (err instanceof WaitingError) return { kind: 'waiting', requeueAfterMs: err.requeueAfterMs };
  if (err instanceof KairosError && isRetryable(err.code)) return { kind: 'generic' };
  return { kind: 'stalling' };
}

/** For loops where every failure may clear on its own (Dispatch reloads from the store and tries again). */
export const alwaysGeneric = (): Handling => ({ kind: 'generic' });

/** The delay before the try after `failures` failures in a row (0: the first retry). */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures, 30));
}

/**
 * A loop's retry state: how many failures in a row, the one Clock timer that brings the
 * next try (or the next poll), and the sleeps of loops written with `await`. `failed(err)`
 * classifies the error and returns how long to wait, `succeeded()` resets the backoff,
 * `cancel()` stops everything (a stopped loop leaves no timer behind).
 */
export class RetryLoop {
  private count = 0;
  private timer: Timer | undefined;
  private readonly sleeps = new Set<{ timer: Timer; resolve(): void }>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: BackoffPolicy,
    private readonly classify: (err: unknown) => Handling = handlingOf,
  ) {}

  /** Failures in a row since the last success (waiting and stalling errors do not count). */
  get failures(): number {
    return this.count;
  }

  /** A try succeeded: the next failure waits the initial delay again. */
  succeeded(): void {
    this.count = 0;
  }

  /**
   * A try failed: how long until the retry, or undefined when `err` stalls (not retried,
   * and the backoff starts over, as the next try comes from new input).
   */
  failed(err: unknown): number | undefined {
    const h = this.classify(err);
    if (h.kind === 'stalling') {
      this.count = 0;
      return undefined;
    }
    if (h.kind === 'waiting') return h.requeueAfterMs;
    return backoffDelay(this.policy, this.count++);
  }

  /** Whether the timer is armed. */
  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** Arms the loop's one timer to call `fn` in `ms`, replacing the armed one. */
  arm(ms: number, fn: () => void): void {
    this.disarm();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      fn();
    }, ms);
  }

  /** Cancels the armed timer, if any (sleeps go on). */
  disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Resolves after `ms`, or at once when `cancel()` is called: for loops written with `await`. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: this.clock.setTimeout(() => {
          this.sleeps.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(w);
    });
  }

  /** Cancels the timer and ends every sleep now: nothing of the loop outlives its stop. */
  cancel(): void {
    this.disarm();
    for (const w of this.sleeps) {
      w.timer.cancel();
      w.resolve();
    }
    this.sleeps.clear();
  }
}
