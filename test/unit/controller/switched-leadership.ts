import type { Leadership, LeaderState } from '../../../src/ports/leader.js';

/** Leadership switched by hand, reporting changes synchronously as the port requires. */
export class SwitchedLeadership implements Leadership {
  private leader = false;
  private fns = new Set<(s: LeaderState) => void>();
  isLeader = () => this.leader;
  epoch = () => (this.leader ? 1 : undefined);
  leaderUrl = () => undefined;
  onChange(fn: (s: LeaderState) => void) {
    this.fns.add(fn);
    return () => void this.fns.delete(fn);
  }
  set(leader: boolean) {
    this.leader = leader;
    for (const fn of this.fns) fn({ leader });
  }
}
