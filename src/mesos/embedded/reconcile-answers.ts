/**
 * The embedded master's answers to RECONCILE (mesos.apache.org/documentation/latest/reconciliation/; Master::reconcile
 * in apache/mesos src/master/master.cpp), from the records cluster.ts keeps: master-generated updates
 * with REASON_RECONCILIATION, never acknowledged.
 */
import type { TaskState, TaskStatus, TaskStatusReason } from '../types.js';
import type { AgentState, FrameworkTasks, TaskRecord } from './records.js';

/** What the answers read from, and how they are sent (the Cluster). */
export interface ReconcileView {
  readonly agents: ReadonlyMap<string, AgentState>;
  tasksOf(frameworkId: string): FrameworkTasks;
  masterStatus(taskId: string, state: TaskState, reason: TaskStatusReason, message: string, agentId?: string): TaskStatus;
  sendMaster(frameworkId: string, status: TaskStatus): void;
}

/**
 * RECONCILE (mesos.apache.org/documentation/latest/reconciliation/). Empty list: implicit, the latest state of every
 * known task. Otherwise per task: known → latest state; unknown on a registered agent →
 * TASK_GONE; unreachable agent → TASK_UNREACHABLE; removed agent →
 * TASK_GONE_BY_OPERATOR; unknown agent → TASK_UNKNOWN; all four TASK_LOST for
 * frameworks that are not PARTITION_AWARE.
 */
export function answerReconcile(c: ReconcileView, frameworkId: string, tasks: { taskId: string; agentId?: string }[], partitionAware: boolean): void {
  const t = c.tasksOf(frameworkId);
  const latest = (rec: TaskRecord) =>
    c.masterStatus(rec.info.task_id.value, rec.state, 'REASON_RECONCILIATION', 'Reconciliation: Latest task state', rec.agentId);
  // Tasks on agents that have not re-registered since a master failover are unknown to
  // this master, and it does not answer for them until they do ("no reply": retry).
  const recovering = (id: string | undefined) => (id === undefined ? [...c.agents.values()].some((a) => a.status === 'recovering') : c.agents.get(id)?.status === 'recovering');
  if (tasks.length === 0) {
    for (const rec of t.active.values()) if (!recovering(rec.agentId)) c.sendMaster(frameworkId, latest(rec));
    return;
  }
  for (const { taskId, agentId } of tasks) {
    const rec = t.active.get(taskId);
    if (rec && !recovering(rec.agentId)) {
      c.sendMaster(frameworkId, latest(rec));
      continue;
    }
    if (rec || recovering(agentId)) continue;
    const a = agentId === undefined ? undefined : c.agents.get(agentId);
    const pick = (s: TaskState): TaskState => (partitionAware ? s : 'TASK_LOST');
    let status: TaskStatus;
    if (a?.status === 'active') status = c.masterStatus(taskId, pick('TASK_GONE'), 'REASON_RECONCILIATION', 'Reconciliation: Task is unknown to the agent', agentId);
    else if (a?.status === 'unreachable') {
      status = c.masterStatus(taskId, pick('TASK_UNREACHABLE'), 'REASON_RECONCILIATION', 'Reconciliation: Task is unreachable', agentId);
      status.unreachable_time = { nanoseconds: (a.unreachableSince ?? 0) * 1e6 };
    } else if (a?.status === 'gone') status = c.masterStatus(taskId, pick('TASK_GONE_BY_OPERATOR'), 'REASON_RECONCILIATION', 'Reconciliation: Task is gone', agentId);
    else status = c.masterStatus(taskId, pick('TASK_UNKNOWN'), 'REASON_RECONCILIATION', 'Reconciliation: Task is unknown', agentId);
    c.sendMaster(frameworkId, status);
  }
}
