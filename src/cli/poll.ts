/**
 * Following something on a running controller until it is done (`kairos run --wait`,
 * `kairos backfill --wait`). Polls start at FIRST_POLL_MS and double up to `pollMs`, so a
 * short run is seen to end within a few tens of ms (a fixed 1 s poll added ~0.5 s to every
 * `kairos run --wait`, measured in bench/mesos-real.bench.ts) while a long one costs one
 * request a second. What is followed goes on while the controller restarts or fails over,
 * so E_UNAVAILABLE answers (connection refused, 503) are ridden out for up to
 * WAIT_UNAVAILABLE_MS in a row; any other error ends the wait.
 */
import { KairosError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';

/** How long a wait rides out an unreachable controller (a restart, a leader change). */
export const WAIT_UNAVAILABLE_MS = 60_000;

/** The first poll; later ones double up to `pollMs`. */
export const FIRST_POLL_MS = 50;

/** Calls `read` every `pollMs`, hands each answer to `seen`, and returns the first one `done` accepts. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, seen: (value: T) => void, clock: Clock, pollMs = 1000): Promise<T> {
  let unavailableSince: number | undefined;
  for (let delay = Math.min(FIRST_POLL_MS, pollMs); ; delay = Math.min(delay * 2, pollMs)) {
    await clock.sleep(delay);
    let value: T;
    try {
      value = await read();
      unavailableSince = undefined;
    } catch (err) {
      if (!(err instanceof KairosError) || err.code !== 'E_UNAVAILABLE') throw err;
      unavailableSince ??= clock.now();
      if (clock.now() - unavailableSince >= WAIT_UNAVAILABLE_MS) throw err;
      continue;
    }
    seen(value);
    if (done(value)) return value;
  }
}
