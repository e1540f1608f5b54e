/**
 * The scheduler's bookkeeping records, and how they are rebuilt from persisted runs:
 * one `Entry` per applied Job/DAG (its compiled schedule, cursor and counters) and one
 * `Active` per non-terminal run. Everything in an Entry is derivable from the applied
 * resource and the stored runs, which is what lets a new leader resume exactly.
 */
import type { Run } from '../core/run.js';
import type { AppliedResource, DagSpec, Resource, TaskTemplate } from '../core/types.js';
import { compileSchedule, type CompiledSchedule } from './index.js';

/** A Job or DAG as the scheduler tracks it. */
export interface Entry {
  name: string;
  resource: Resource;
  revision: string;
  schedule?: CompiledSchedule;
  /** The schedule as written, to notice a changed schedule on update. */
  scheduleKey: string;
  /** Newest fire instant already considered (run, missed or skipped); only moves forward. */
  cursor: number;
  /** Bumped whenever the entry's queued fire becomes stale. */
  gen: number;
  /** When the latest successful top-level run of this job ended. */
  lastSuccessAt: number;
  /** Instant of the latest parent-triggered run (or when the job was applied). */
  lastParentsRunAt: number;
  /**
   * Scheduled runs of a Job created `pending` with no attempt, waiting their turn in
   * instant order (./scheduler.ts `drain`): catch-up fires under Forbid, and fires due while
   * an adopted run's state is not confirmed yet. Persisted like any run, so rebuilt by `load`.
   */
  waiting: Run[];
}

/** A non-terminal run and what is needed to drive it. */
export interface Active {
  run: Run;
  /** What job runs and DAG task runs launch; undefined when the job is gone (no retries then). */
  template?: TaskTemplate;
  /** For DAG runs: the DAG and its task runs so far, by task name. */
  dag?: { spec: DagSpec; tasks: Map<string, Run> };
  /**
   * Resumed by `load` with a task in flight whose state this term has not heard yet
   * (reconciliation pending): whether it still runs is unknown, so concurrency decisions
   * that depend on it wait (see `waiting`).
   */
  unconfirmed?: boolean;
}

/** A fresh entry: fires and parent successes count from the moment it was applied. */
export function newEntry(applied: AppliedResource): Entry {
  const spec = applied.resource.spec;
  return {
    name: applied.resource.metadata.name,
    resource: applied.resource,
    revision: applied.revision,
    schedule: spec.schedule ? compileSchedule(spec.schedule, { reference: applied.appliedAt }) : undefined,
    scheduleKey: JSON.stringify(spec.schedule ?? null),
    cursor: applied.appliedAt,
    gen: 0,
    lastSuccessAt: -Infinity,
    lastParentsRunAt: applied.appliedAt,
    waiting: [],
  };
}

/** Folds a persisted top-level run of the entry's job into its cursor and counters. */
export function rememberRun(e: Entry, run: Run): void {
  if (run.trigger === 'schedule' || run.trigger === 'catch-up') e.cursor = Math.max(e.cursor, run.scheduledAt);
  if (run.trigger === 'parents') e.lastParentsRunAt = Math.max(e.lastParentsRunAt, run.scheduledAt);
  if (run.state === 'succeeded') e.lastSuccessAt = Math.max(e.lastSuccessAt, run.endedAt ?? run.scheduledAt);
}

/** The parents (`after`) of a Job; DAGs have none. */
export function parentsOf(e: Entry): string[] {
  return e.resource.kind === 'Job' ? e.resource.spec.after : [];
}

/** The latest attempt of a run, if any. */
export function lastAttempt(run: Run) {
  return run.attempts[run.attempts.length - 1];
}
