/**
 * Keeps a follower's read view (API, UI) close to the leader's: the store says when it
 * changed (`Store.watch`, a ZooKeeper data watch on the node every write bumps), and the
 * follower reloads, coalescing bursts so a busy leader costs at most one reload per
 * `minGapMs` plus the reload itself. A slow backstop reload covers a store without watches
 * and any notification lost with a ZooKeeper session.
 */
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { messageOf } from '../core/errors.js';

/** How fresh a follower's read view is (`GET /v1/sync` → `readView`). */
export interface ReadFreshness {
  /** Whether the store notifies this follower of changes (else: only the backstop reload). */
  watching: boolean;
  /** Epoch ms the last reload from the store began (its reads are at least this fresh). */
  loadedAt?: number;
  /** True when the store changed after the last reload began and a reload is due. */
  behind: boolean;
}

/** What FollowerReads needs. */
export interface FollowerReadsDeps {
  store: Pick<Store, 'watch'>;
  clock: Clock;
  logger: Logger;
  /** Re-reads the store into the read view. */
  reload(): Promise<void>;
  /** Reload at least this often, watch or not. */
  backstopMs: number;
  /** At most one reload start per this many ms. */
  minGapMs?: number;
}

/** The default gap between reloads triggered by changes. */
export const FOLLOWER_MIN_GAP_MS = 250;

/** Reloads a follower's read view when the store changes, and now and then regardless. */
export class FollowerReads {
  private unwatch?: () => void;
  private timer?: Timer;
  private backstop?: Timer;
  private inFlight = false;
  private dirty = false;
  private running = false;
  private loadedAt?: number;

  constructor(private readonly d: FollowerReadsDeps) {}

  /** Starts following the store (a follower's term). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unwatch = this.d.store.watch?.(() => this.changed());
    this.armBackstop();
  }

  /** Stops: no reload starts after this (one in flight finishes). */
  stop(): void {
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    this.timer?.cancel();
    this.backstop?.cancel();
    this.timer = this.backstop = undefined;
  }

  /** How fresh the view is, for `/v1/sync`. */
  freshness(): ReadFreshness {
    return { watching: this.unwatch !== undefined, ...(this.loadedAt !== undefined && { loadedAt: this.loadedAt }), behind: this.dirty };
  }

  /** The store changed: reload soon (now, or once the gap since the last start has passed). */
  private changed(): void {
    if (!this.running) return;
    this.dirty = true;
    if (this.inFlight || this.timer) return;
    const gap = this.d.minGapMs ?? FOLLOWER_MIN_GAP_MS;
    const wait = this.loadedAt === undefined ? 0 : Math.max(0, this.loadedAt + gap - this.d.clock.now());
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = undefined;
      void this.reload();
    }, wait);
  }

  private async reload(): Promise<void> {
    if (!this.running || this.inFlight) return;
    this.inFlight = true;
    this.dirty = false;
    this.loadedAt = this.d.clock.now();
    try {
      await this.d.reload();
    } catch (err) {
      this.dirty = true; // still behind; the next change or the backstop tries again
      this.d.logger.warn('follower refresh failed', { error: messageOf(err) });
    } finally {
      this.inFlight = false;
    }
    if (this.dirty && this.running) this.changed();
  }

  private armBackstop(): void {
    this.backstop = this.d.clock.setTimeout(() => {
      if (!this.running) return;
      this.dirty = true;
      void this.reload().finally(() => this.running && this.armBackstop());
    }, this.d.backstopMs);
  }
}
