/**
 * What the UI's charts read (`GET /v1/jobs/{name}/stats`, `GET /v1/timeline`,
 * `GET /v1/jobs/{name}/backfills`): plain JSON, times as epoch ms, computed by pure
 * functions (src/api/stats.ts, src/api/timeline.ts, src/api/backfills.ts) from the runs
 * the controller keeps, so the API, the UI and the benchmarks all see the same numbers.
 */
import type { RunTrigger } from '../core/run.js';
import type { RunState } from '../core/types.js';

/** One run as a point of the duration chart. */
export interface RunPoint {
  id: string;
  state: RunState;
  trigger: RunTrigger;
  scheduledAt: number;
  /** When its first attempt (a DAG run: its first task) started; absent if it never did. */
  startedAt?: number;
  endedAt?: number;
  /** endedAt − startedAt, for finished runs that started. */
  durationMs?: number;
  /** The backfill it belongs to, if any. */
  backfill?: string;
}

/** One cell of the grid: a run of the job (or of a DAG task) and its state. */
export interface GridCell {
  runId: string;
  state: RunState;
}

/** One column of the grid: a top-level run and, per row, its cell. */
export interface GridColumn {
  runId: string;
  scheduledAt: number;
  state: RunState;
  /** By row name; a DAG task with no run in this DAG run has no cell. */
  cells: Record<string, GridCell>;
}

/** Duration and outcome figures of one job over the runs kept in history. */
export interface JobStats {
  job: string;
  kind: 'Job' | 'DAG';
  /** The job's `timeoutSeconds` (a DAG: the largest of its tasks'), drawn as a line. */
  timeoutSeconds?: number;
  /** The job's `spec.sla.finishWithinSeconds` (counted from the scheduled instant), drawn as a line. */
  slaSeconds?: number;
  /** Top-level runs kept, by state. */
  counts: Partial<Record<RunState, number>>;
  /** Runs that ran to an outcome (succeeded, failed, timed_out, lost, killed). */
  finished: number;
  /** succeeded / finished; absent when nothing finished. */
  successRate?: number;
  /** Nearest-rank percentiles of the durations of finished runs, in ms. */
  p50Ms?: number;
  p95Ms?: number;
  /** The newest runs (at most the query's `points`), oldest first. */
  points: RunPoint[];
  /** Row names: the DAG's tasks in manifest order, or the job's own name. */
  rows: string[];
  /** The newest runs (at most the query's `columns`), oldest first: newest on the right. */
  columns: GridColumn[];
}

/** Expected peak demand of one job's runs in one hour (src/api/timeline.ts). */
export interface JobDemand {
  job: string;
  /** CPUs held at the peak: the most runs of the job active at once in the hour × its cpus. */
  cpus: number;
  /** MiB held at the peak. */
  mem: number;
}

/** One hour of the timeline. */
export interface TimelineHour {
  start: number;
  cpus: number;
  mem: number;
  /** Per job, for the stacked chart; only jobs with demand in this hour. */
  byJob: JobDemand[];
}

/** One upcoming run. */
export interface UpcomingRun {
  job: string;
  at: number;
  expectedMs: number;
}

/** Where a job's expected run duration comes from. */
export type ExpectedFrom = 'history' | 'timeout' | 'default';

/** A job in the timeline. */
export interface TimelineJob {
  job: string;
  kind: 'Job' | 'DAG';
  cpus: number;
  mem: number;
  expectedMs: number;
  expectedFrom: ExpectedFrom;
  /** How many instants fell in the window (`runs` lists at most MAX_TIMELINE_RUNS per job). */
  count: number;
}

/** The cluster's next hours: upcoming runs and the demand they bring, against capacity. */
export interface Timeline {
  from: number;
  to: number;
  jobs: TimelineJob[];
  runs: UpcomingRun[];
  hours: TimelineHour[];
  /** Total resources of the active agents, from the master; absent when it cannot be asked. */
  capacity?: { cpus: number; mem: number; agents: number };
}

/** Progress of one backfill of a job. */
export interface BackfillProgress {
  id: string;
  job: string;
  maxParallel: number;
  total: number;
  /** Runs not started yet (queued) or active. */
  queued: number;
  active: number;
  succeeded: number;
  /** Every other terminal state. */
  failed: number;
  done: boolean;
  runs: { id: string; state: RunState; scheduledAt: number }[];
}
