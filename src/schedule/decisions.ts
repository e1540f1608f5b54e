/**
 * The vocabulary between the pure scheduling core (./scheduler.ts) and the controller that
 * carries its decisions out. The core never persists or launches anything itself: every
 * call returns `Decision[]`, in the order they must be applied, and the controller
 *   - `create`: writes the new run with create-if-absent (its id is deterministic, so a
 *     second computation of the same run is refused by the store and must not be launched);
 *   - `reset`: overwrites a finished run's record with a fresh one under the same id, and
 *     deletes its DAG task runs, in one atomic write (a backfill re-running an instant);
 *   - `update`: writes the changed run (state, reason, attempts, endedAt);
 *   - `launch`: asks the Mesos framework to launch `attempt` of `run` (the attempt is
 *     already appended to `run.attempts` by the preceding `create`/`update`). When the
 *     framework's `persistLaunch` fires, the controller sets `run.state = 'launching'` on
 *     the same Run object; a run still `pending` after a restart was never placed and is
 *     launched again under the same task id, a `launching`/`running` one is left to Mesos
 *     reconciliation;
 *   - `kill`: asks the framework to kill `taskId` (the run is already marked terminal, or,
 *     for a preemption, its attempt is marked `preemptedBy` and the run will run again);
 *   - `dropped`: logs that a long outage's oldest fire instants were not even recorded.
 */
import type { Attempt, Run, RunOverrides } from '../core/run.js';
import type { TaskTemplate } from '../core/types.js';

/** Persist a run that did not exist before (create-if-absent). */
export interface CreateDecision {
  type: 'create';
  run: Run;
}

/** Replace a finished run (and drop its DAG task runs) to run it again under its id. */
export interface ResetDecision {
  type: 'reset';
  run: Run;
}

/** Persist a changed run. */
export interface UpdateDecision {
  type: 'update';
  run: Run;
}

/** Launch one attempt of a run on Mesos. */
export interface LaunchDecision {
  type: 'launch';
  run: Run;
  attempt: Attempt;
  /** What to run: the job's template, or the DAG task's (inline or referenced job). */
  template: TaskTemplate;
  overrides?: RunOverrides;
}

/** Kill a launched task. */
export interface KillDecision {
  type: 'kill';
  runId: string;
  taskId: string;
  reason: 'replaced' | 'timed_out' | 'pruned' | 'preempted';
  /** For a preemption: the waiting run the task makes room for. */
  by?: string;
}

/**
 * Every fire instant of `job` strictly between `from` and `to` (epoch ms) was older than
 * the catch-up bound (MAX_BACKLOG in ./missed.ts) and was neither run nor recorded.
 */
export interface DroppedDecision {
  type: 'dropped';
  job: string;
  from: number;
  to: number;
}

/** One thing the controller must do, see the module comment. */
export type Decision = CreateDecision | ResetDecision | UpdateDecision | LaunchDecision | KillDecision | DroppedDecision;

/**
 * How an attempt's task ended, as the Mesos edge mapped it (src/core/outcome.ts); `gone`
 * is resolved by the core (lost after RUNNING, dropped before).
 */
export type { FinalOutcome as TaskOutcome } from '../core/outcome.js';
