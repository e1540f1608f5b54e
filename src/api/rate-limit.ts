/**
 * A token-bucket rate limiter for write endpoints, keyed by principal (or client address
 * when access control is off). Time comes from the Clock port, so tests move it by hand.
 * Buckets that are full again are forgotten, so memory stays bounded by active clients.
 */
import type { Clock } from '../ports/clock.js';

/** Limits: `burst` requests at once, refilled at `perMinute`. */
export interface RateLimitOptions {
  perMinute: number;
  burst: number;
}

/** Outcome of one `take`: allowed, or refused with the seconds until a token is free. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A set of token buckets sharing one rate. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly opts: RateLimitOptions,
  ) {
    this.perMs = opts.perMinute / 60_000;
  }

  /** Takes one token from `key`'s bucket. */
  take(key: string): RateDecision {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: now };
    // A clock that stepped back refills nothing and takes nothing extra.
    const elapsed = Math.max(0, now - b.at);
    b.tokens = Math.min(this.opts.burst, b.tokens + elapsed * this.perMs);
    b.at = Math.max(b.at, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.set(key, b);
      this.sweep(now);
      return { ok: true };
    }
    this.buckets.set(key, b);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000)) };
  }

  /** Drops buckets that would be full by now (bounded memory). */
  private sweep(now: number): void {
    if (this.buckets.size < 1024) return;
    for (const [k, b] of this.buckets) if (b.tokens + (now - b.at) * this.perMs >= this.opts.burst) this.buckets.delete(k);
  }
}
