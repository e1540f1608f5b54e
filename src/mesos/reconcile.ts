/**
 * Task reconciliation as mesos.apache.org/documentation/latest/reconciliation/ ("Algorithm") describes it, as a pure
 * state machine the framework drives with its clock:
 *   1. start = now; remaining = every known non-terminal task;
 *   2. send an explicit RECONCILE for `remaining`;
 *   3. wait (truncated exponential backoff) while updates arrive;
 *   4. remaining = tasks whose last update arrived before `start`; repeat from 2 if any;
 *   5. then one implicit RECONCILE (no tasks) to learn of tasks Kairos does not know.
 * Only one reconciliation runs at a time; a new one replaces it. Answers arrive as
 * ordinary UPDATE events (REASON_RECONCILIATION, no uuid).
 */
import { backoffDelay } from '../core/retry.js';

/** Backoff between explicit rounds: first wait, cap, and how many rounds before giving up. */
export interface ReconcileBackoff {
  initialMs: number;
  maxMs: number;
  /** After this many explicit rounds the remaining tasks are left to the next periodic run. */
  maxRounds: number;
}

/** Defaults: 1 s doubling to 60 s, at most 8 explicit rounds (about 4 minutes). */
export const DEFAULT_RECONCILE_BACKOFF: ReconcileBackoff = { initialMs: 1_000, maxMs: 60_000, maxRounds: 8 };

/** What the driver does next. */
export type ReconcileStep =
  | { kind: 'explicit'; tasks: { taskId: string; agentId?: string }[]; waitMs: number }
  | { kind: 'implicit' }
  | { kind: 'done'; unanswered: string[] };

/** The delay after explicit round `round` (0-based): initial × 2^round, capped (src/core/retry.ts). */
export function reconcileDelay(b: ReconcileBackoff, round: number): number {
  return backoffDelay(b, round);
}

/** One reconciliation run. */
export class Reconciliation {
  private readonly remaining: Map<string, string | undefined>;
  private round = 0;
  private implicitSent = false;

  constructor(
    readonly startedAt: number,
    known: Iterable<{ taskId: string; agentId?: string }>,
    private readonly backoff: ReconcileBackoff = DEFAULT_RECONCILE_BACKOFF,
  ) {
    this.remaining = new Map([...known].map((t) => [t.taskId, t.agentId]));
  }

  /** An update for `taskId` arrived at `at`; it answers the task if it came after start. */
  observe(taskId: string, at: number): void {
    if (at >= this.startedAt) this.remaining.delete(taskId);
  }

  /** Tasks not yet answered. */
  get unanswered(): string[] {
    return [...this.remaining.keys()];
  }

  /** The next step: another explicit round, the implicit round, or done. */
  next(): ReconcileStep {
    if (this.remaining.size > 0 && this.round < this.backoff.maxRounds) {
      const waitMs = reconcileDelay(this.backoff, this.round++);
      return { kind: 'explicit', tasks: [...this.remaining].map(([taskId, agentId]) => (agentId ? { taskId, agentId } : { taskId })), waitMs };
    }
    if (!this.implicitSent) {
      this.implicitSent = true;
      return { kind: 'implicit' };
    }
    return { kind: 'done', unanswered: this.unanswered };
  }
}
