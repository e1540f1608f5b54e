/**
 * What Mesos tells about an attempt, recorded on the run (pure): where it was placed, and
 * each task status. Status updates are at-least-once and may arrive out of order
 * (mesos.apache.org/documentation/latest/reconciliation/), so recording is idempotent: a repeated update changes nothing,
 * and an update for an attempt that already ended is ignored. What the outcome means for
 * the run (retry, fail, succeed) is the scheduler's decision (./scheduler.ts), not this file's.
 */
import { jobOfRunId } from '../core/ids.js';
import { isFinalOutcome, type FinalOutcome } from '../core/outcome.js';
import type { Attempt, Run } from '../core/run.js';
import { awaitsOffer, type RunState } from '../core/types.js';
import type { TaskStatusUpdate } from '../ports/mesos.js';

/** What a status changed on its attempt. */
export interface AttemptChange {
  attempt: Attempt;
  /** The task reached a final outcome with this update. */
  final: boolean;
  /** The task was reported running for the first time with this update. */
  started: boolean;
}

/**
 * Records `u` on `run` in place; undefined when the update is stale or repeated (nothing
 * changed). A run still `pending`/`launching` becomes `running` when its task runs.
 */
export function recordStatus(run: Run, u: TaskStatusUpdate): AttemptChange | undefined {
  const a = run.attempts.find((x) => x.taskId === u.taskId);
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
  if (u.outcome === 'running' && (awaitsOffer(run.state) || run.state === 'launching')) run.state = 'running';
  return { attempt: a, final, started };
}

/** Where an attempt goes: agent, host and, with several clusters, the named cluster (src/clusters). */
export interface Placement {
  agentId: string;
  hostname: string;
  cluster?: string;
}

/** Where an attempt was placed, recorded before ACCEPT; false when the run has no such attempt. */
export function recordPlacement(run: Run, taskId: string, where: Placement, at: number): boolean {
  const a = run.attempts.find((x) => x.taskId === taskId);
  if (!a) return false;
  Object.assign(a, { agentId: where.agentId, hostname: where.hostname, intentAt: at, ...(where.cluster !== undefined && { cluster: where.cluster }) });
  if (run.state === 'unschedulable') delete run.reason; // an offer fitted after all
  if (awaitsOffer(run.state)) run.state = 'launching';
  return true;
}

/** The state of a run the scheduler does not drive (adopted, or its job is gone) once its task ended. */
export function endedAsMesosSays(outcome: FinalOutcome): RunState {
  if (outcome === 'succeeded' || outcome === 'killed') return outcome;
  return outcome === 'failed' || outcome === 'error' ? 'failed' : 'lost';
}

/**
 * A run record for a task Mesos knows but the store does not (its launch labels name a
 * Kairos run: launched by an earlier controller whose write was lost, or the store was
 * replaced). Adopting it lets the run be followed to its end instead of running unseen.
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
