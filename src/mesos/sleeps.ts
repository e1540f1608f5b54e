/**
 * Sleeps on the Clock port that `cancelAll()` cuts short, so no wait of the framework
 * (resubscribe backoff, reconciliation rounds) outlives `stop()`.
 */
import type { Clock, Timer } from '../ports/clock.js';

/** A set of pending sleeps, all ended at once on stop. */
export class Sleeps {
  private readonly waiting = new Set<{ timer: Timer; resolve: () => void }>();

  constructor(private readonly clock: Clock) {}

  /** Resolves after `ms`, or at once when `cancelAll()` runs first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        timer: this.clock.setTimeout(() => {
          this.waiting.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waiting.add(w);
    });
  }

  /** Ends every pending sleep now (they resolve, they do not reject). */
  cancelAll(): void {
    for (const w of this.waiting) {
      w.timer.cancel();
      w.resolve();
    }
    this.waiting.clear();
  }
}
