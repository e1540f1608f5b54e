import type { Clock, Timer } from '../../src/ports/clock.js';

/**
 * A Clock that moves only when told. `advance(ms)` fires due timers in time order, each
 * with `now()` equal to its due time; `set(ms)` jumps (also backwards, which fires nothing).
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];

  constructor(start: number | string = '2026-01-01T00:00:00Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (let due = this.takeDue(target); due; due = this.takeDue(target)) due.fn();
    this.t = target;
  }

  /** Moves time forward and lets promise continuations run between timers. */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.t + ms;
    for (let due = this.takeDue(target); due; due = this.takeDue(target)) {
      due.fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.t = target;
  }

  /** Removes and returns the earliest live timer due by `target`, moving time to it. */
  private takeDue(target: number) {
    this.timers = this.timers.filter((x) => x.live);
    const due = this.timers.filter((x) => x.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
    if (!due) return undefined;
    due.live = false;
    this.t = Math.max(this.t, due.at);
    return due;
  }

  /** Jumps to an absolute time, forwards or backwards, firing nothing. */
  set(ms: number | string): void {
    this.t = typeof ms === 'number' ? ms : Date.parse(ms);
  }

  /** Number of live timers (for tests asserting nothing was left behind). */
  pending(): number {
    return this.timers.filter((x) => x.live).length;
  }
}
