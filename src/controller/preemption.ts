/**
 * The thin loop around the core's preemption decision (src/schedule/preemption.ts): while
 * leading, it asks the core every {@link PREEMPTION_POLL_MS} whether a waiting run passed
 * its grace (a cheap check), and only then queues `preempt(view)` on the dispatch queue,
 * with the framework's view of the agents taken when the call runs, so the decision sees
 * every decision queued before it.
 */
import { messageOf } from '../core/errors.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Decision } from '../schedule/decisions.js';
import type { Scheduler } from '../schedule/scheduler.js';

/** How often the loop asks the core whether a preemption is due. */
export const PREEMPTION_POLL_MS = 1000;

/** What the loop needs. */
export interface PreemptionLoopDeps {
  clock: Clock;
  logger: Logger;
  scheduler: Pick<Scheduler, 'preemptionDue' | 'preempt'>;
  /** The framework's view now; undefined when there is no framework (nothing is preempted). */
  view(): ClusterView | undefined;
  /** Queues a core call and the execution of its decisions (Dispatch.submit). */
  submit(decide: () => Decision[]): Promise<void>;
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
    const { scheduler, clock } = this.d;
    try {
      if (scheduler.preemptionDue(clock.now())) {
        await this.d.submit(() => {
          const view = this.d.view();
          return view ? scheduler.preempt(view, clock.now()) : [];
        });
      }
    } catch (err) {
      this.d.logger.warn('preemption check failed', { error: messageOf(err) });
    } finally {
      this.arm();
    }
  }
}
