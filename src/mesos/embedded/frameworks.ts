/**
 * What the embedded master keeps of a framework, and the long timer its failover_timeout
 * needs. Apart from master.ts so the call handlers (calls.ts, accept.ts) can name a
 * framework without importing the master.
 */
import type { Clock, Timer } from '../../ports/clock.js';
import type { FrameworkInfo } from '../types.js';
import type { EventStream } from './stream.js';

/** A framework the master knows. */
export interface FrameworkState {
  id: string;
  info: FrameworkInfo;
  roles: string[];
  stream?: EventStream;
  failoverTimer?: Timer;
  registeredAt: number;
  partitionAware: boolean;
  /** TASK_KILLING_STATE declared: read for every status update, so kept with the info, not looked up again. */
  killingState: boolean;
}

/** Longest delay a Node timer takes; longer ones would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A Clock timer for any delay: failover_timeout is often weeks (the HA guide suggests 4),
 * beyond what one Node timer can wait, so it re-arms in steps.
 */
export function longTimeout(clock: Clock, fn: () => void, ms: number): Timer {
  let current: Timer;
  const arm = (left: number) => {
    current = clock.setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : fn()), Math.min(left, MAX_TIMER_MS));
  };
  arm(ms);
  return { cancel: () => current.cancel() };
}
