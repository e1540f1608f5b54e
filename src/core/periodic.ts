/**
 * A round of work repeated on the Clock port while started, one round at a time: the next
 * round is armed only when the previous one ended, so a slow round never overlaps the
 * next. `stop()` resolves once a round in flight ended, so a deposed leader's last round
 * is over before the next term starts. Failures go to `onError` and the loop goes on.
 */
import type { Clock, Timer } from '../ports/clock.js';

/** What a Periodic runs and how often. */
export interface PeriodicOptions {
  clock: Clock;
  /** Delay between the end of one round and the start of the next. */
  intervalMs: number;
  round(): Promise<void>;
  onError(err: unknown): void;
}

/** See the module comment. */
export class Periodic {
  private timer: Timer | undefined;
  private running = false;
  private current: Promise<void> = Promise.resolve();

  constructor(private readonly o: PeriodicOptions) {}

  /** Whether rounds are being run (between `start` and `stop`). */
  get active(): boolean {
    return this.running;
  }

  /** Runs a first round at once, then one every `intervalMs`. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(0);
  }

  /** Stops; resolves when a round in flight ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.current;
  }

  private arm(ms: number): void {
    this.timer = this.o.clock.setTimeout(() => {
      if (!this.running) return;
      this.current = this.o
        .round()
        .catch((err) => this.o.onError(err))
        .finally(() => this.running && this.arm(this.o.intervalMs));
    }, ms);
  }
}
