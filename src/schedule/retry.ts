/**
 * Retry backoff: attempt n+1 of a run may start `delay(n)` after attempt n ended, where
 * delay(n) = min(initial × 2^(n-1), max) seconds (exponential backoff, as Kubernetes Job
 * `backoffLimit` and controller-runtime's rate limiter, with the per-job initial and cap
 * Chronos users asked for in #657). `count: 0` means no retry at all (Chronos #633).
 */
import type { RetryPolicy } from '../core/types.js';

/** Delay in ms before the attempt that follows failed attempt `n` (1-based). */
export function retryDelayMs(policy: RetryPolicy, n: number): number {
  const seconds = Math.min(policy.initialDelaySeconds * 2 ** (n - 1), policy.maxDelaySeconds);
  return Math.max(0, seconds) * 1000;
}

/** Whether a run whose `n`-th counted attempt failed may try again. */
export function mayRetry(policy: RetryPolicy, n: number): boolean {
  return n <= policy.count;
}

/**
 * How many times in a row a run is relaunched after Mesos said its task never ran,
 * before the run is recorded lost: a launch that is dropped every time (a broken agent,
 * a master that refuses it) must not loop forever.
 */
export const MAX_DROPPED_RELAUNCHES = 5;
