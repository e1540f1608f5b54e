/**
 * What a task's status means for a run, in the core's words. The Mesos edge
 * (src/mesos/status.ts `outcomeOf`) is the only place that turns a Mesos TaskState and
 * Reason into one of these; nothing outside src/mesos interprets Mesos state names.
 *
 * - `active`: staging, starting or being killed: it may still run.
 * - `running`: Mesos reports it running (TASK_RUNNING): the attempt has started.
 * - `unreachable`: its agent is partitioned; it may still run and come back.
 * - `succeeded`: it ran to completion (exit 0).
 * - `failed`: it ran, or tried to, and failed (non-zero exit, container could not start,
 *   max completion time): retried per the job's policy.
 * - `error`: the task description was refused (invalid, unauthorized): the same launch
 *   would be refused again, so the run fails without retry.
 * - `killed`: killed on request (Kairos or an operator): not retried.
 * - `dropped`: Mesos confirms it never reached an agent: launching again cannot run it twice,
 *   and it does not count against retries.
 * - `gone`: Mesos no longer knows it (lost, gone, unknown). It ran only if it had been
 *   seen running: the core reads it as `lost` after RUNNING, `dropped` before.
 * - `lost`: it vanished after it may have run (agent removed by an operator): retried as a failure.
 */
export type TaskOutcome = 'active' | 'running' | 'unreachable' | 'succeeded' | 'failed' | 'error' | 'killed' | 'dropped' | 'gone' | 'lost';

/** Outcomes after which the task never runs again. */
export type FinalOutcome = Exclude<TaskOutcome, 'active' | 'running' | 'unreachable'>;

/** True for outcomes after which the task will never run again. */
export function isFinalOutcome(o: TaskOutcome): o is FinalOutcome {
  return o !== 'active' && o !== 'running' && o !== 'unreachable';
}
