/**
 * The thin loop around the core's preemption decision (src/schedule/preemption.ts): while
 * leading, it asks the core every {@link PREEMPTION_POLL_MS} whether a waiting run passed
 * its grace (a cheap check), and only then posts `PreemptionDue` to Dispatch, which takes
 * the framework's view of the agents when the step runs, so the decision sees every
 * decision queued before it.
 */
import { messageOf } from '../core/errors.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

/** How often the loop asks the core whether a preemption is due. */
export const PREEMPTION_POLL_MS = 1000;

/** What the loop needs. */
export interface PreemptionLoopDeps {
  clock: Clock;
  logger: Logger;
  /** Whether a waiting run passed its grace (Dispatch.preemptionDue). */
  due(now: number): boolean;
  /** Posts `PreemptionDue` to Dispatch; resolves once its decisions were carried out. */
  preempt(): Promise<void>;
}

/** See the module comment. Started when leading, stopped when not. */
export class PreemptionLoop {
  private timer: Timer | undefined;
  private running = false;

  constructor(private readonly d: PreemptionLoopDeps) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    if (!this.running) return;
    this.timer = this.d.clock.setTimeout(() => void this.check(), PREEMPTION_POLL_MS);
  }

  private async check(): Promise<void> {
    try {
      if (this.d.due(this.d.clock.now())) await this.d.preempt();
    } catch (err) {
      this.d.logger.warn('preemption check failed', { error: messageOf(err) });
    } finally {
      this.arm();
    }
  }
}
