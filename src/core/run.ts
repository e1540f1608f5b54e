/**
 * A run: one execution of a job (scheduled, manual, triggered by parents, or a DAG task).
 * Runs are stored under their deterministic id (src/core/ids.ts); attempts are the
 * Mesos tasks launched for it (one per retry).
 */
import type { RunState } from './types.js';

export type RunTrigger = 'schedule' | 'manual' | 'parents' | 'dag' | 'catch-up';

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
  /** Mesos sandbox directory on the agent, for logs. */
  sandbox?: string;
  startedAt?: number;
  endedAt?: number;
  /** Last Mesos TaskState name seen, e.g. TASK_RUNNING. */
  mesosState?: string;
  exitStatus?: number;
  message?: string;
  /** Mesos confirmed this task never ran (TASK_DROPPED, or GONE/UNKNOWN before RUNNING): it used no retry. */
  dropped?: boolean;
}

/** Overrides given with a manual run. */
export interface RunOverrides {
  args?: string[];
  env?: Record<string, string>;
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
  createdAt: number;
  endedAt?: number;
  /** Epoch ms `sla_missed` was raised for this run (once; src/notify/sla.ts). */
  slaMissedAt?: number;
}
