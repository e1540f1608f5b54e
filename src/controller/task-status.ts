/**
 * Recording a Mesos task status on the run attempt it belongs to (pure). Status updates
 * are at-least-once and may arrive out of order (mesos.apache.org/documentation/latest/reconciliation/),
 * so recording is idempotent: a repeated update changes nothing, and an update for an
 * attempt already in a final state is ignored. What the outcome means for the run (retry,
 * fail, succeed) is the schedule core's decision, not this file's.
 */
import { jobOfRunId } from '../core/ids.js';
import type { Attempt, Run } from '../core/run.js';
import type { TaskStatusUpdate } from '../ports/mesos.js';
import { isFinalOutcome } from '../core/outcome.js';
import { awaitsOffer } from '../core/types.js';

/** What changed on the attempt, for the caller to act on. */
export interface AttemptChange {
  run: Run;
  attempt: Attempt;
  /** The task reached a final state with this update (FINISHED, FAILED, KILLED, LOST...). */
  final: boolean;
  /** The task was reported running for the first time with this update. */
  started: boolean;
}

/**
 * Applies `u` to a copy of `run`; undefined when the update is stale or repeated (nothing
 * to write). A run still `pending`/`launching` becomes `running` when its task runs.
 */
export function recordTaskStatus(run: Run, u: TaskStatusUpdate): AttemptChange | undefined {
  const next = structuredClone(run);
  const a = next.attempts.find((x) => x.taskId === u.taskId);
  if (!a) return undefined;
  // An ended attempt (runs stored before attempts carried `outcome` have only `endedAt`).
  if (a.endedAt !== undefined || (a.outcome && isFinalOutcome(a.outcome))) return undefined;
  if (a.mesosState === u.mesosState && a.agentId === (u.agentId ?? a.agentId)) return undefined;
  const final = isFinalOutcome(u.outcome);
  const started = u.outcome === 'running' && a.startedAt === undefined;
  a.mesosState = u.mesosState;
  a.outcome = u.outcome;
  if (u.agentId) a.agentId = u.agentId;
  if (u.hostname) a.hostname = u.hostname;
  if (u.sandbox && !a.sandbox) a.sandbox = u.sandbox;
  if (started) a.startedAt = u.at;
  if (final) a.endedAt = u.at;
  if (u.exitStatus !== undefined) a.exitStatus = u.exitStatus;
  if (u.message) a.message = u.message;
  if (u.outcome === 'running' && (awaitsOffer(next.state) || next.state === 'launching')) next.state = 'running';
  return { run: next, attempt: a, final, started };
}

/**
 * A run record for a task Mesos knows but the store does not (it carries Kairos labels:
 * launched by an earlier controller whose write was lost, or the store was replaced).
 * Adopting it lets the run be followed to its end instead of running unseen.
 */
export function adoptedRun(u: TaskStatusUpdate, now: number): Run | undefined {
  if (!u.run) return undefined;
  const { runId: id, attempt: n, revision } = u.run;
  return {
    id,
    job: jobOfRunId(id),
    trigger: id.includes('@manual-') ? 'manual' : 'schedule',
    scheduledAt: u.at,
    revision,
    state: 'launching',
    reason: 'adopted: the task was running on Mesos but not in the store',
    attempts: [{ n, taskId: u.taskId, intentAt: now, notBefore: now, agentId: u.agentId, hostname: u.hostname }],
    createdAt: now,
  };
}
