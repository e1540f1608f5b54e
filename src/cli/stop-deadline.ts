/**
 * The bound on a whole shutdown of `kairos serve`. Each step of a stop is bounded on its
 * own (a leadership term in 10 s, ZooKeeper calls at twice the session timeout), but their
 * sum is not, and a Mesos call to a master that never answers may wait its 75 s request
 * timeout. A process manager (systemd, Kubernetes: 30 s) kills a process that outlives its
 * stop anyway; this one exits by itself first, saying so, with status 1. Nothing that
 * exactly-once relies on waits for a clean stop: a deposed leader's writes are fenced.
 */
import type { Clock } from '../ports/clock.js';

/** How long SIGTERM/SIGINT may take to end `kairos serve` (below Kubernetes' 30 s grace). */
export const STOP_DEADLINE_MS = 25_000;

/**
 * Arms the deadline when a stop begins: `exit(1)` after `ms` unless the process ended
 * first (a clean stop exits 0 and never reaches it); `say` tells why.
 */
export function armStopDeadline(clock: Clock, ms: number, say: (line: string) => void, exit: (code: number) => void): void {
  clock.setTimeout(() => {
    say(`kairos: the stop did not finish within ${ms / 1000} s; exiting without waiting for it`);
    exit(1);
  }, ms);
}
