/**
 * The Leadership port: who leads among the controllers sharing one store. Only the leader
 * launches tasks and writes; followers serve reads and forward writes once (src/ha/forward.ts).
 * Implemented by ZooKeeper election (src/ha/election.ts) and, for the single-node default,
 * by `soloLeadership` below.
 */

/** A leadership snapshot, as handed to `onChange` subscribers. */
export interface LeaderState {
  leader: boolean;
  epoch?: number;
  leaderUrl?: string;
}

export interface Leadership {
  isLeader(): boolean;
  /** Leader epoch (monotonic across leader changes); part of every fenced write. */
  epoch(): number | undefined;
  /** `http://host:port` of the current leader's API, if known (for forwarding/503). */
  leaderUrl(): string | undefined;
  /**
   * Subscribe to changes; returns an unsubscribe function. Losing leadership is reported
   * synchronously, before any later write can be attempted by this process.
   */
  onChange(fn: (s: LeaderState) => void): () => void;
}

/** Always leader at epoch 1: the embedded single-node default (file or memory store). */
export function soloLeadership(selfUrl: string): Leadership {
  return {
    isLeader: () => true,
    epoch: () => 1,
    leaderUrl: () => selfUrl,
    onChange: () => () => {},
  };
}
