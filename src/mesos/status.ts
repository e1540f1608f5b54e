/**
 * Mesos TaskStatus → the port's TaskStatusUpdate (the one translation: outcome, run, sandbox),
 * and recognising Kairos's own tasks.
 *
 * Reconciliation answers and master-generated updates carry no task labels (TaskStatus
 * `labels` are the executor's, not the TaskInfo's), so a task Kairos does not remember is
 * first recognised by its id, `kairos.<run id with / and \ as ~>.<attempt>` (src/core/
 * ids.ts mesosTaskId); its authoritative labels are then read from the master
 * (task-labels.ts). Only when the master cannot tell are labels rebuilt from the id, and
 * the run id only where the id decodes to one run id (no `~`).
 */
import { jobOfRunId } from '../core/ids.js';
import type { TaskOutcome } from '../core/outcome.js';
import type { FrameworkHooks, TaskRunRef, TaskStatusUpdate } from '../ports/mesos.js';
import { LABEL_ATTEMPT, LABEL_JOB, LABEL_REVISION, LABEL_RUN, labelMap } from './tasks.js';
import type { TaskState, TaskStatus, TaskStatusReason } from './types.js';

const TASK_ID = /^kairos\.(.+)\.(\d+)$/;

/** Whether a task id has the shape of the ids Kairos gives its tasks. */
export function isKairosTaskId(taskId: string): boolean {
  return TASK_ID.test(taskId);
}

/**
 * Kairos labels rebuilt from a Kairos task id, or undefined for anyone else's task. A `~`
 * may stand for `/`, `\` or itself, so `kairos.run` is left out when the id holds one;
 * the job (before the first `@`) is kept only when no `~` precedes that `@`.
 */
export function labelsFromTaskId(taskId: string): Record<string, string> | undefined {
  const m = TASK_ID.exec(taskId);
  if (!m) return undefined;
  const encoded = m[1];
  const job = jobOfRunId(encoded);
  return {
    ...(job.includes('~') ? {} : { [LABEL_JOB]: job }),
    ...(encoded.includes('~') ? {} : { [LABEL_RUN]: encoded }),
    [LABEL_ATTEMPT]: m[2],
  };
}

/**
 * The exit code in a status message, where Mesos reports one: the command executor says
 * "Command exited with status N", the Docker executor "Container exited with status N".
 */
export function exitStatusOf(message: string | undefined): number | undefined {
  const m = /exited with status (-?\d+)/.exec(message ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The outcome of each TaskState whatever its reason (see OUTCOME_BY_REASON for the exceptions). */
const OUTCOME_BY_STATE: Record<TaskState, TaskOutcome> = {
  TASK_STAGING: 'active',
  TASK_STARTING: 'active',
  TASK_RUNNING: 'running',
  TASK_KILLING: 'active',
  TASK_UNREACHABLE: 'unreachable',
  TASK_FINISHED: 'succeeded',
  TASK_FAILED: 'failed',
  TASK_ERROR: 'error',
  TASK_KILLED: 'killed',
  TASK_DROPPED: 'dropped',
  TASK_LOST: 'gone',
  TASK_GONE: 'gone',
  TASK_UNKNOWN: 'gone',
  TASK_GONE_BY_OPERATOR: 'lost',
};

/**
 * Reasons that change the outcome of a state. TASK_LOST is what a master sends a framework
 * that is not PARTITION_AWARE for TASK_DROPPED too: with a reason saying the launch never
 * reached an agent (invalid or rescinded offers, unknown resources), it never ran.
 */
const OUTCOME_BY_REASON: Partial<Record<TaskState, Partial<Record<TaskStatusReason, TaskOutcome>>>> = {
  TASK_LOST: { REASON_INVALID_OFFERS: 'dropped', REASON_RESOURCES_UNKNOWN: 'dropped', REASON_TASK_INVALID: 'error', REASON_TASK_UNAUTHORIZED: 'error', REASON_TASK_GROUP_INVALID: 'error', REASON_TASK_GROUP_UNAUTHORIZED: 'error' },
};

/**
 * The one mapping from a Mesos TaskState and Reason to the core's TaskOutcome
 * (src/core/outcome.ts). TASK_ERROR always means `error` (refused, not retried); a state
 * name Mesos may add later counts as `gone` (Mesos does not know the task as running).
 */
export function outcomeOf(state: string, reason?: string): TaskOutcome {
  const byReason = reason ? OUTCOME_BY_REASON[state as TaskState]?.[reason as TaskStatusReason] : undefined;
  return byReason ?? OUTCOME_BY_STATE[state as TaskState] ?? 'gone';
}

/**
 * The run a task belongs to, read from its launch labels (src/mesos/tasks.ts); undefined
 * without `kairos.run` (a foreign task, or a Kairos id that does not decode to one run).
 */
export function runRefOf(labels: Record<string, string>): TaskRunRef | undefined {
  const runId = labels[LABEL_RUN];
  if (!runId) return undefined;
  return { runId, attempt: Number(labels[LABEL_ATTEMPT] ?? '1') || 1, revision: labels[LABEL_REVISION] ?? 'unknown' };
}

/**
 * Converts a TaskStatus into the port's update: the one place a Mesos state is read for
 * the controller. `labels` are what Kairos knows of the task (launch labels).
 */
export function toStatusUpdate(s: TaskStatus, labels: Record<string, string>, now: number): TaskStatusUpdate {
  const u: TaskStatusUpdate = {
    taskId: s.task_id.value,
    outcome: outcomeOf(s.state, s.reason),
    mesosState: s.state,
    at: s.timestamp !== undefined ? Math.round(s.timestamp * 1000) : now,
    fromReconciliation: s.reason === 'REASON_RECONCILIATION',
  };
  // Read only: merged into a new object only when the status carries labels of its own.
  const run = runRefOf(s.labels ? Object.assign(labelMap(s.labels.labels), labels) : labels);
  if (run) u.run = run;
  if (s.reason) u.reason = s.reason;
  if (s.message) u.message = s.message;
  if (s.agent_id) u.agentId = s.agent_id.value;
  const exit = exitStatusOf(s.message);
  if (exit !== undefined) u.exitStatus = exit;
  else if (s.state === 'TASK_FINISHED') u.exitStatus = 0;
  return u;
}

/**
 * The update a framework hands to `FrameworkHooks.onStatus` for a TaskStatus: what the
 * task book (taskbook.ts) makes of it (undefined: not a Kairos task, left alone) with the task's sandbox,
 * so the controller never asks the framework where a sandbox is.
 */
export function statusUpdateOf(
  book: { update(s: TaskStatus, now: number, fromMaster?: Record<string, string> | null): TaskStatusUpdate | undefined },
  s: TaskStatus,
  now: number,
  fromMaster: Record<string, string> | null | undefined,
  sandbox: string | undefined,
): TaskStatusUpdate | undefined {
  const u = book.update(s, now, fromMaster);
  if (u && sandbox !== undefined) u.sandbox = sandbox;
  return u;
}

/**
 * Hooks whose updates carry the sandbox `locate` finds (local agents' directories, read as
 * files) instead of the framework's (an agent's `/files` URL): for the embedded master.
 */
export function localSandboxes(hooks: FrameworkHooks, locate: (taskId: string) => string | undefined): FrameworkHooks {
  return {
    persistLaunch: (placed) => hooks.persistLaunch(placed),
    ...(hooks.clusterOf && { clusterOf: (taskId: string) => hooks.clusterOf!(taskId) }),
    onStatus: (u) => {
      const { sandbox: _remote, ...rest } = u;
      const sandbox = locate(u.taskId);
      return hooks.onStatus(sandbox === undefined ? rest : { ...rest, sandbox });
    },
  };
}
