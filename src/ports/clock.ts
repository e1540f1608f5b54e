/**
 * The Clock port: the only way any Kairos code reads the time or waits. The core takes
 * a Clock; `systemClock` is built in main.ts; tests use test/support/fake-clock.ts and
 * move time by hand, backwards too.
 */

/** A cancellable timer handle. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now (on a fake clock: when advanced past it). */
  setTimeout(fn: () => void, ms: number): Timer;
  /** Resolves after `ms` (via setTimeout above). */
  sleep(ms: number): Promise<void>;
}

/** The real clock. Construct it only in the composition root and in edge adapters' tests. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const h = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(h) };
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
