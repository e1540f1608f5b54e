/**
 * A run: one execution of a job (scheduled, manual, triggered by parents, or a DAG task).
 * Runs are stored under their deterministic id (src/core/ids.ts); attempts are the
 * Mesos tasks launched for it (one per retry).
 */
import type { TaskOutcome } from './outcome.js';
import type { RunState } from './types.js';

export type RunTrigger = 'schedule' | 'manual' | 'parents' | 'dag' | 'catch-up' | 'backfill';

/** One Mesos task launched for a run. */
export interface Attempt {
  /** 1-based attempt number; the Mesos TaskID derives from run id and this. */
  n: number;
  taskId: string;
  /** Epoch ms when the launch intent was written (before ACCEPT). */
  intentAt: number;
  /** Earliest epoch ms this attempt may launch (retry backoff). */
  notBefore: number;
  agentId?: string;
  hostname?: string;
  /** The named Mesos cluster the intent sent it to (several clusters, `--cluster`). */
  cluster?: string;
  /** Mesos sandbox directory on the agent, for logs. */
  sandbox?: string;
  startedAt?: number;
  endedAt?: number;
  /** Last Mesos TaskState name seen, e.g. TASK_RUNNING (for people; the core reads `outcome`). */
  mesosState?: string;
  /** What the last status meant (src/core/outcome.ts), as the Mesos edge mapped it. */
  outcome?: TaskOutcome;
  exitStatus?: number;
  message?: string;
  /** Mesos confirmed this task never ran (TASK_DROPPED, or GONE/UNKNOWN before RUNNING): it used no retry. */
  dropped?: boolean;
  /**
   * The run whose waiting task this attempt was killed to make room for (preemption): the
   * run is then launched again in a new attempt, and this one uses no retry.
   */
  preemptedBy?: string;
}

/** Overrides given with a manual run. */
export interface RunOverrides {
  args?: string[];
  env?: Record<string, string>;
  /** Names of env variables given as secrets: their values are never stored (src/secrets/run-overrides.ts). */
  secretEnv?: string[];
}

export interface Run {
  id: string;
  /** Job (or DAG) name. For DAG tasks, the DAG name; `task` names the task. */
  job: string;
  task?: string;
  /** Parent DAG run id for DAG task runs. */
  dagRunId?: string;
  trigger: RunTrigger;
  /** Epoch ms of the scheduled instant (for manual runs: when it was requested). */
  scheduledAt: number;
  /** Revision (commit) of the manifest the run was created from. */
  revision: string;
  state: RunState;
  /** Why the run is in its state, in words (pending reason, failure message). */
  reason?: string;
  attempts: Attempt[];
  overrides?: RunOverrides;
  /**
   * Set on runs a backfill created or re-ran (src/schedule/backfill.ts): the backfill's id,
   * which groups its runs, and its parallelism bound. Kept on each run so a new leader
   * rebuilds the backfill's queue from the stored runs alone.
   */
  backfill?: BackfillTag;
  /** How many times this run was re-run under its id (absent: never); part of its task ids. */
  rerun?: number;
  createdAt: number;
  endedAt?: number;
  /** Epoch ms `sla_missed` was raised for this run (once; src/notify/sla.ts). */
  slaMissedAt?: number;
}

/** Which backfill a run belongs to; see `Run.backfill`. */
export interface BackfillTag {
  /** `backfill-<UTC instant it was requested>`, unique per job. */
  id: string;
  /** At most this many of the backfill's runs are active at once. */
  maxParallel: number;
}
