/**
 * Two watchdogs on the Clock port.
 *
 * HeartbeatWatchdog: the master sends HEARTBEAT every `heartbeat_interval_seconds`; a
 * stream that carries no event at all for 5 intervals is dead even if the socket looks
 * open (mesos.apache.org/documentation/latest/scheduler-http-api/, "Disconnections": "if the scheduler does not receive
 * any events for 5 heartbeat intervals ... it should assume the connection is lost").
 *
 * StarvationWatchdog: Chronos's worst failure is sitting on queued tasks with no offers
 * after a master failover, silently (mesos/chronos #569, #897). With demand pending and no
 * offer for `timeoutMs`, it escalates one step per further `timeoutMs` without offers:
 * 1. REVIVE (clears filters, un-suppresses), 2. resubscribe (a fresh stream),
 * 3. report "starving" (log, status()) and keep reviving, until an offer arrives.
 */
import type { Clock, Timer } from '../ports/clock.js';

/** Calls `onSilent` when no `touch()` came for `timeoutMs` after `arm()`. */
export class HeartbeatWatchdog {
  private timer: Timer | undefined;
  private lastAt = 0;
  private timeoutMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onSilent: () => void,
  ) {}

  /** Starts watching with a new timeout (5 × the heartbeat interval). */
  arm(timeoutMs: number): void {
    this.disarm();
    this.timeoutMs = timeoutMs;
    this.lastAt = this.clock.now();
    this.schedule(timeoutMs);
  }

  /** An event arrived. Cheap: it only records the time. */
  touch(): void {
    this.lastAt = this.clock.now();
  }

  disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      const quiet = this.clock.now() - this.lastAt;
      if (quiet >= this.timeoutMs) {
        this.timer = undefined;
        this.onSilent();
      } else this.schedule(this.timeoutMs - quiet);
    }, ms);
  }
}

/** What the starvation watchdog may do, and what it reads. */
export interface StarvationActions {
  hasDemand(): boolean;
  connected(): boolean;
  revive(): void;
  resubscribe(): void;
  /** Called with true when starvation is declared, false when offers return. */
  starving(on: boolean, quietMs: number): void;
}

/** Escalates REVIVE → resubscribe → "starving" while demand waits without offers. */
export class StarvationWatchdog {
  private timer: Timer | undefined;
  private stage = 0;
  private quietSince: number;
  private isStarving = false;
  /** When queued demand started waiting without an offer (demand appeared, or the last offer). */
  private waitingSince: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly act: StarvationActions,
  ) {
    this.quietSince = clock.now();
  }

  start(): void {
    this.stop();
    const tick = () => {
      this.check();
      this.timer = this.clock.setTimeout(tick, Math.max(10, this.timeoutMs / 4));
    };
    this.timer = this.clock.setTimeout(tick, Math.max(10, this.timeoutMs / 4));
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  get starving(): boolean {
    return this.isStarving;
  }

  /**
   * While starving: epoch ms since which demand has waited without any offer (the later of
   * the last offer and the moment demand appeared), so an absence of offers since startup
   * counts too. Undefined when not starving.
   */
  get starvingSince(): number | undefined {
    return this.isStarving ? this.waitingSince : undefined;
  }

  /** Offers arrived: the framework is fed, whatever happened before. */
  offerArrived(): void {
    this.reset();
  }

  /** Demand appeared where there was none: the quiet period starts now. */
  demandAppeared(): void {
    this.waitingSince ??= this.clock.now();
    if (this.stage === 0) this.quietSince = this.clock.now();
  }

  private reset(): void {
    this.stage = 0;
    this.quietSince = this.clock.now();
    this.waitingSince = this.act.hasDemand() ? this.quietSince : undefined;
    if (this.isStarving) {
      this.isStarving = false;
      this.act.starving(false, 0);
    }
  }

  /** One look: escalate if demand has waited `timeoutMs` since the last offer or step. */
  check(): void {
    if (!this.act.hasDemand()) {
      if (this.stage > 0 || this.isStarving) this.reset();
      return;
    }
    this.waitingSince ??= this.quietSince;
    if (!this.act.connected()) return;
    const now = this.clock.now();
    if (now - this.quietSince < this.timeoutMs) return;
    this.stage++;
    this.quietSince = now;
    if (this.stage === 1) this.act.revive();
    else if (this.stage === 2) this.act.resubscribe();
    else {
      if (!this.isStarving) {
        this.isStarving = true;
        this.act.starving(true, this.timeoutMs * this.stage);
      }
      this.act.revive();
    }
  }
}
