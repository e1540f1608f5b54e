/**
 * Waiting on Leadership events in tests (never on sleeps): resolves as soon as the state
 * satisfies `pred`, checking the current state first.
 */
import type { LeaderState, Leadership } from '../../src/ports/leader.js';

/** The Leadership's current state as an onChange subscriber would see it. */
export function stateOf(l: Leadership): LeaderState {
  return { leader: l.isLeader(), epoch: l.epoch(), leaderUrl: l.leaderUrl() };
}

/** Resolves with the first state (current or future) for which `pred` holds. */
export function until(l: Leadership, pred: (s: LeaderState) => boolean): Promise<LeaderState> {
  return new Promise((resolve) => {
    const now = stateOf(l);
    if (pred(now)) return resolve(now);
    const off = l.onChange((s) => {
      if (!pred(s)) return;
      off();
      resolve(s);
    });
  });
}
