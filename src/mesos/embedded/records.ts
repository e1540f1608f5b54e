/**
 * What the embedded master keeps of agents and tasks (cluster.ts changes them; state.ts
 * serves them at /master/state and /master/tasks; reconcile-answers.ts answers from them).
 */
import type { TaskInfo, TaskState } from '../types.js';
import type { Agent } from './agent.js';
import type { ResourceBag } from './resources.js';

/** An agent as the master tracks it. */
export interface AgentState {
  agent: Agent;
  /** `recovering`: after a master failover, not re-registered yet (Master::recover). */
  status: 'active' | 'recovering' | 'unreachable' | 'gone';
  /** Resources neither used by tasks nor offered. */
  free: ResourceBag;
  unreachableSince?: number;
  /** Reports made while unreachable, replayed when the agent comes back. */
  held: (() => void)[];
  /** Tasks of non-partition-aware frameworks declared TASK_LOST while unreachable. */
  lost: TaskRecord[];
}

/**
 * What the master keeps of a TaskInfo once the task is launched: what its endpoints,
 * kills and updates read. The rest (command, environment, container, resources as sent)
 * is the agent's business; keeping it for every running task was memory the GC kept
 * copying, and secrets in an environment stay no longer than the launch.
 */
export type TaskSummary = Pick<TaskInfo, 'task_id' | 'name' | 'agent_id' | 'labels' | 'kill_policy'>;

/** The summary of a TaskInfo (see TaskSummary). */
export function summaryOf(task: TaskInfo): TaskSummary {
  const s: TaskSummary = { task_id: task.task_id, name: task.name, agent_id: task.agent_id };
  if (task.labels) s.labels = task.labels;
  if (task.kill_policy) s.kill_policy = task.kill_policy;
  return s;
}

/** A task as the master tracks it. */
export interface TaskRecord {
  info: TaskSummary;
  frameworkId: string;
  agentId: string;
  role: string;
  /** Latest state the master knows. */
  state: TaskState;
  /** Latest state on the agent (differs while the agent is unreachable). */
  agentState: TaskState;
  resources: ResourceBag;
  released: boolean;
  /** The states it went through and when (what `/master/tasks` shows); not the whole updates, which a task would keep alive for its lifetime. */
  statuses: { state: TaskState; timestamp?: number }[];
}

/** Per-framework task tables. */
export interface FrameworkTasks {
  active: Map<string, TaskRecord>;
  unreachable: Map<string, TaskRecord>;
  completed: TaskRecord[];
}
