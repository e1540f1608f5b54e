/**
 * The Controller ports: what the API, the UI, `explain` and the CLI need from the running
 * controller. A read view (`ControllerView`, answered from in-memory state, cheap, never
 * throws for a missing name: returns `undefined`) apart from a write port
 * (`ControllerActions`, async, throws KairosError), as hashicorp/nomad separates its
 * scheduler `State` from its `Planner`. The controller (src/controller/) implements both;
 * tests use an in-memory double.
 *
 * Everything here is plain JSON: no class instances, no Maps, times as epoch ms.
 * Secrets never appear: env values from `secrets` are never resolved into these types.
 *
 * Errors thrown by `ControllerActions` map to HTTP statuses in src/api/errors.ts:
 * E_NOT_FOUND → 404, E_INVALID → 400, E_CONFLICT → 409, E_FENCED / E_UNAVAILABLE → 503.
 */
import type { Run, RunOverrides } from '../core/run.js';
import type { Resource, RunState, SourceRef } from '../core/types.js';
import type { RerunMode } from '../schedule/backfill.js';
import type { BackfillProgress, JobStats, Timeline } from './charts.js';
import type { ClusterFacts, ClusterStatus, PendingInfo } from './mesos.js';
import type { DriftItem, PlanView, SyncStatus } from './sync.js';

export type { DriftItem, PlanChange, PlanView, ReadView, SyncStatus } from './sync.js';

/**
 * A job's status as the jobs table shows it, most significant first:
 * `suspended` (manifest says `suspend: true`), `paused` (paused through the API: drift),
 * `running` (a run is launching or running), `pending` (a run is due and waits for an
 * offer or for its parents), `idle` (nothing active).
 */
export type JobStatus = 'suspended' | 'paused' | 'running' | 'pending' | 'idle';

/** A short view of one run for tables: enough to colour a cell and link to the run. */
export interface RunBrief {
  id: string;
  state: RunState;
  /** Epoch ms of the scheduled instant (manual runs: when requested). */
  scheduledAt: number;
  /** Epoch ms the run reached a terminal state. */
  endedAt?: number;
  /** Exit status of the last attempt, when Mesos reported one. */
  exitStatus?: number;
}

/** One row of the jobs table (`GET /v1/jobs`). */
export interface JobSummary {
  /** `metadata.name`: unique across Jobs and DAGs. */
  name: string;
  kind: 'Job' | 'DAG';
  /** `metadata.owner` (Chronos `owner`), if set. */
  owner?: string;
  /** `metadata.labels`. */
  labels: Record<string, string>;
  status: JobStatus;
  /** Schedule as written, e.g. `cron 0 2 * * * (Europe/Berlin)`; absent for `after:`-only jobs. */
  schedule?: string;
  /** Names of parent jobs (`spec.after`), empty for scheduled jobs and DAGs. */
  after: string[];
  /** Epoch ms of the next scheduled instant; absent when none (suspended, exhausted, parents). */
  nextRunAt?: number;
  /** The most recent run that reached a terminal state. */
  lastRun?: RunBrief;
  /** Runs currently pending, launching or running. */
  activeRuns: number;
  /** Commit (revision) the applied version of this job came from. */
  revision: string;
  /** Manifest file and line in the source. */
  source: SourceRef;
}

/** Everything about one job (`GET /v1/jobs/{name}`). */
export interface JobDetail extends JobSummary {
  /** The applied resource (metadata + compiled spec). `secrets` are references, never values. */
  resource: Resource;
  /** The manifest document as it is in git (YAML text) at `revision`, when the source kept it. */
  manifest?: string;
  /** True when paused through the API (recorded as drift against git). */
  paused: boolean;
  /** The next few scheduled instants, epoch ms, ascending. */
  nextRuns: number[];
  /** Most recent runs, newest first (bounded by history limits). */
  lastRuns: Run[];
  /** Why the current pending run (if any) has not launched, in words. */
  pendingReason?: string;
  /** Drift items for this job. */
  drift: DriftItem[];
}

/** Options for `ControllerView.runs`. */
export interface RunQuery {
  /** Only runs in these states. */
  states?: RunState[];
  /** At most this many, newest (by scheduledAt) first. Default: all kept in history. */
  limit?: number;
}

/** A run with its DAG task runs (for a DAG run) — `GET /v1/runs/{id}`. */
export interface RunDetail extends Run {
  /** For a DAG run: its task runs, in topological order. Empty otherwise. */
  children: Run[];
}

/** A node of the dependency graph: a Job, a DAG, or one task of a DAG (`dag/task`). */
export interface GraphNode {
  /** Unique id: the job or DAG name, or `<dag>/<task>` for DAG tasks. */
  id: string;
  kind: 'job' | 'dag' | 'task';
  /** Short label to draw. */
  label: string;
  /** For `task` nodes: the DAG it belongs to. */
  dag?: string;
  /** State of the most recent run of this node, to colour it; absent if it never ran. */
  state?: RunState;
  /** Status of the job (for `job`/`dag` nodes). */
  status?: JobStatus;
}

/** A dependency: `to` runs after `from` (`after:` for jobs, `dependsOn` inside DAGs). */
export interface GraphEdge {
  from: string;
  to: string;
  kind: 'after' | 'dependsOn';
}

/** The dependency graph of all applied jobs and DAGs (`GET /v1/graph`). */
export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The cluster as the framework sees it, plus tasks still waiting for offers. */
export interface ClusterView extends ClusterStatus {
  /** Tasks queued for launch that no offer fitted yet, with the reason. */
  pending: PendingInfo[];
  /** The agents' totals and attributes the leader last read (absent until then and on followers); plans judge against it. */
  facts?: ClusterFacts;
}

/** Which task sandbox file to read. */
export type LogStream = 'stdout' | 'stderr';

/**
 * A chunk of a task's sandbox file, the shape of the Mesos agent's `/files/read`
 * endpoint (`{data, offset}`; docs/endpoints/files/read.md).
 */
export interface LogChunk {
  /** The run attempt the file belongs to (the latest attempt by default). */
  attempt: number;
  /** Offset in bytes of `data` in the file. */
  offset: number;
  /** The bytes read, decoded as UTF-8. */
  data: string;
  /** Total size of the file when read, in bytes (to page or follow). */
  size: number;
}

/** The read side the API needs. All methods are synchronous and cheap except logs/plan. */
export interface ControllerView {
  /** Every applied Job and DAG, sorted by name. Filtering is the caller's job. */
  jobs(): JobSummary[];
  /** One Job or DAG by name; undefined when not applied. */
  job(name: string): JobDetail | undefined;
  /** Runs of a job (including DAG runs for a DAG), newest first; undefined for an unknown job. */
  runs(job: string, query?: RunQuery): Run[] | undefined;
  /** One run by id (scheduled, manual or DAG task run id); undefined when unknown. */
  run(id: string): RunDetail | undefined;
  sync(): SyncStatus;
  /** Dry-run of the next sync against the source's head. */
  plan(): Promise<PlanView>;
  graph(): Graph;
  cluster(): ClusterView;
  /**
   * Reads a sandbox file of a run's attempt (default: latest) from its agent.
   * Undefined when the run is unknown or never launched; throws E_UNAVAILABLE when the
   * agent cannot be reached.
   */
  logs(runId: string, stream: LogStream, opts?: { offset?: number; length?: number; attempt?: number }): Promise<LogChunk | undefined>;
  /** Duration/outcome figures and the runs × tasks grid of a job (src/api/stats.ts); undefined when not applied. */
  stats(job: string, opts?: { points?: number; columns?: number }): JobStats | undefined;
  /** Upcoming runs of every job over the next `hours` and their demand against capacity (src/api/timeline.ts). */
  timeline(hours?: number): Promise<Timeline>;
  /** The job's backfills with their progress, newest first; undefined for an unknown job. */
  backfills(job: string): BackfillProgress[] | undefined;
}

/** What `ControllerActions.backfill` is asked (src/schedule/backfill.ts). */
export interface BackfillOptions {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, inclusive; not in the future. */
  to: number;
  /** Default 1. */
  maxParallel?: number;
  /** Default `none`: instants that already ran are skipped. */
  rerun?: RerunMode;
  /** Only say what would run. */
  dryRun?: boolean;
}

/** What a backfill did (or, dry, would do) per scheduled instant of the window. */
export interface BackfillResult {
  id: string;
  job: string;
  dryRun: boolean;
  instants: { at: number; runId: string; action: 'run' | 'rerun' | 'skip'; existing?: RunState }[];
}

/**
 * The write side. Every action is recorded in the store by the controller before it
 * resolves; only the leader may act (followers' API forwards writes to the leader).
 */
export interface ControllerActions {
  /**
   * Starts a manual run now (`<job>@manual-<n>`), with optional argv/env overrides and
   * secret env values (`secretEnv`: held in memory for the launch, only their names stored).
   * Throws E_NOT_FOUND for an unknown job, E_INVALID for a DAG task or bad overrides.
   */
  runNow(job: string, overrides?: RunOverrides, secretEnv?: Record<string, string>): Promise<Run>;
  /** Kills a run's active task (or withdraws it if not launched). E_NOT_FOUND if unknown. */
  kill(runId: string): Promise<Run>;
  /**
   * Runs the job's scheduled instants in [from, to] under their scheduled run ids, skipping
   * those that already ran unless `rerun` says otherwise. E_NOT_FOUND for an unknown job,
   * E_INVALID for a bad window or a job without a schedule.
   */
  backfill(job: string, opts: BackfillOptions): Promise<BackfillResult>;
  /** Stops new runs of a job until resumed; recorded as drift against git. */
  pause(job: string): Promise<JobSummary>;
  /** Undoes `pause`. */
  resume(job: string): Promise<JobSummary>;
}
