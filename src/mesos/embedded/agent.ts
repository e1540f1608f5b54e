/**
 * What the embedded master needs from an agent: its identity and resources, and a way to
 * start and kill tasks. Agents report task states through the callback given at launch;
 * the master turns each report into a status update with a uuid (src/mesos/embedded/
 * updates.ts), as a real agent's status update manager does.
 */
import type { Attribute, FrameworkInfo, TaskInfo, TaskState, TaskStatusReason, TaskStatusSource } from '../types.js';
import type { TaskCheckpoint } from './checkpoint.js';
import type { ResourceBag } from './resources.js';

/** One state change of a task, as the agent observed it. */
export interface AgentReport {
  state: TaskState;
  message?: string;
  reason?: TaskStatusReason;
  /** Who produced it: the executor (normal lifecycle) or the agent (launch failures). */
  source: TaskStatusSource;
}

/** Receives a task's reports, in order. */
export type ReportFn = (report: AgentReport) => void;

/** A task as handed to an agent. */
export interface AgentLaunch {
  task: TaskInfo;
  frameworkId: string;
  /** The framework's info and the task's role, for agents that checkpoint (./checkpoint.ts). */
  framework?: FrameworkInfo;
  role?: string;
  report: ReportFn;
}

/** An agent of the embedded master: the local process runner or a simulated one. */
export interface Agent {
  readonly id: string;
  readonly hostname: string;
  readonly kind: 'local' | 'simulated';
  /** Everything the agent offers (unreserved, role `*`). */
  readonly total: ResourceBag;
  readonly attributes: Attribute[];
  /** Starts a task; reports follow through `launch.report` (never synchronously). */
  launch(launch: AgentLaunch): void;
  /**
   * Kills a task: SIGTERM (or the simulated equivalent), then SIGKILL after the grace
   * period (KillPolicy.grace_period; default 3 s, as the command executor).
   */
  kill(taskId: string, gracePeriodMs?: number): void;
  /** The sandbox directory of a task this agent ran, if it has one. */
  sandbox(taskId: string): string | undefined;
  /** Kills every task and waits until none is left. */
  stop(): Promise<void>;
  /** Agents that checkpoint: the tasks an earlier run left, to be adopted after a restart. */
  recover?(): TaskCheckpoint[];
  /** Reconnects a recovered task; its reports follow through `report`. */
  adopt?(task: TaskCheckpoint, report: ReportFn): void;
  /** The task's terminal update was acknowledged: its checkpoint can go. */
  forget?(taskId: string): void;
}

/** Identity options every agent kind takes. */
export interface AgentIdentityOptions {
  id: string;
  hostname: string;
  resources: ResourceBag;
  attributes?: Attribute[];
}

/** The identity half of an Agent, shared by the local and simulated kinds. */
export abstract class AgentIdentity {
  readonly id: string;
  readonly hostname: string;
  readonly total: ResourceBag;
  readonly attributes: Attribute[];

  constructor(o: AgentIdentityOptions) {
    this.id = o.id;
    this.hostname = o.hostname;
    this.total = o.resources;
    this.attributes = o.attributes ?? [];
  }
}

/** Default kill grace period of the Mesos command executor. */
export const DEFAULT_GRACE_MS = 3000;

/** Milliseconds of a DurationInfo, or undefined. */
export function durationMs(d: { nanoseconds: number } | undefined): number | undefined {
  return d === undefined ? undefined : d.nanoseconds / 1e6;
}

/** Value of a task label, if present. */
export function labelOf(task: TaskInfo, key: string): string | undefined {
  for (const l of task.labels?.labels ?? []) if (l.key === key) return l.value;
  return undefined;
}
