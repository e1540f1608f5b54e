/**
 * What Mesos tells the core about tasks (pure): an attempt placed on an agent, a task
 * status (recorded on the attempt by ./attempt-facts.ts, then what it means for the run),
 * and the older per-event calls `taskStarted` / `taskEnded`. The core is the one owner of
 * run state: a run it drives changes only here and in ./transitions.ts; a run it does not
 * drive (adopted, or its job is gone) is taken as stored, recorded and, when its task
 * ended, ended as Mesos says. Every call returns the decisions to carry out, among them one
 * `update` of the run that records the status (so a status is written once, with what it
 * caused).
 */
import type { FinalOutcome } from '../core/outcome.js';
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { TaskStatusUpdate } from '../ports/mesos.js';
import { endedAsMesosSays, recordPlacement, recordStatus, type Placement } from './attempt-facts.js';
import type { Decision, TaskOutcome } from './decisions.js';
import { lastAttempt, type Active } from './entries.js';
import { Transitions } from './transitions.js';
import { applyUnschedulable, type UnschedulableChange } from './unschedulable.js';

/** Mesos events of tasks, over the run transitions. */
export abstract class TaskEvents extends Transitions {
  /** Mesos reported attempt `n` of a run running. Idempotent. */
  taskStarted(runId: string, n: number, at: number): Decision[] {
    return this.collect(() => {
      this.confirm(runId, at);
      const a = this.active.get(runId);
      const att = a && lastAttempt(a.run);
      if (!a || !att || att.n !== n || att.endedAt !== undefined || att.startedAt !== undefined) return;
      att.startedAt = at;
      this.started(a, n, at);
    });
  }

  /** Mesos reported attempt `n` of a run ended. Idempotent; stale attempts are ignored. */
  taskEnded(runId: string, n: number, outcome: TaskOutcome, at: number, info: { exitStatus?: number; message?: string; mesosState?: string } = {}): Decision[] {
    return this.collect(() => {
      const a = this.active.get(runId);
      const att = a && lastAttempt(a.run);
      if (!a || !att || att.n !== n || att.endedAt !== undefined) return this.confirm(runId, at);
      att.endedAt = at;
      if (info.exitStatus !== undefined) att.exitStatus = info.exitStatus;
      if (info.message !== undefined) att.message = info.message;
      // The state that ended it, not one seen earlier (e.g. RUNNING, stored before a restart).
      att.outcome = outcome;
      if (info.mesosState) att.mesosState = info.mesosState;
      this.ended(a, n, outcome, at, info.message);
    });
  }

  /**
   * Attempt `taskId` of `stored` was placed on an agent: recorded (the run becomes
   * `launching`) before the framework sends ACCEPT. Nothing when the run has no such attempt.
   */
  placed(stored: Run, taskId: string, where: Placement, now: number): Decision[] {
    return this.collect(() => {
      const run = this.active.get(stored.id)?.run ?? structuredClone(stored);
      if (recordPlacement(run, taskId, where, now)) this.out.push({ type: 'update', run });
    });
  }

  /**
   * A task status of a run (`stored`: the run as stored, read only when the core does not
   * drive it). A repeated or stale status decides nothing; any status tells the core the
   * run's state is known again (fires of its job held back for it are judged now).
   */
  statusChanged(stored: Run, u: TaskStatusUpdate, now: number): Decision[] {
    return this.collect(() => {
      const a = this.active.get(stored.id);
      const run = a?.run ?? structuredClone(stored);
      const change = recordStatus(run, u);
      if (!change) return this.confirm(run.id, now);
      const current = a !== undefined && lastAttempt(run)?.n === change.attempt.n;
      if (current && change.started) {
        this.confirm(run.id, u.at);
        this.started(a, change.attempt.n, u.at);
      } else if (current && change.final) {
        this.ended(a, change.attempt.n, change.attempt.outcome as FinalOutcome, u.at, change.attempt.message);
      } else if (!a && change.final && !isTerminalRun(run.state)) {
        run.state = endedAsMesosSays(change.attempt.outcome as FinalOutcome);
        run.endedAt ??= u.at;
      }
      if (!this.out.some((d) => (d.type === 'update' || d.type === 'create') && d.run.id === run.id)) this.out.push({ type: 'update', run });
      this.confirm(run.id, change.started || change.final ? u.at : now);
    });
  }

  /**
   * What the unschedulable check judged (./unschedulable.ts): a waiting run becomes
   * `unschedulable`, or `pending` again. A run that launched, ended or was retried since is
   * left alone (`applyUnschedulable`); `stored` looks up a run the core does not drive.
   */
  unschedulable(changes: UnschedulableChange[], stored: (runId: string) => Run | undefined): Decision[] {
    return this.collect(() => {
      for (const c of changes) {
        const a = this.active.get(c.runId);
        const run = a?.run ?? stored(c.runId);
        const next = run && applyUnschedulable(run, c);
        if (!next) continue;
        if (!a) {
          this.out.push({ type: 'update', run: next });
          continue;
        }
        a.run.state = next.state;
        if (next.reason === undefined) delete a.run.reason;
        else a.run.reason = next.reason;
        this.out.push({ type: 'update', run: a.run });
      }
    });
  }

  /** The run of a started attempt is running; its timeout counts from now. */
  private started(a: Active, n: number, at: number): void {
    a.run.state = 'running';
    this.out.push({ type: 'update', run: a.run });
    const limit = a.template?.timeoutSeconds;
    if (limit !== undefined) this.queue.push({ at: at + limit * 1000, kind: 'timeout', runId: a.run.id, n });
  }

  /** What follows the end of the run's current attempt (./transitions.ts `afterAttempt`). */
  private ended(a: Active, n: number, outcome: TaskOutcome, at: number, message: string | undefined): void {
    const held = a.unconfirmed;
    a.unconfirmed = false;
    this.afterAttempt(a, n, outcome, at, `attempt ${n} ${outcome}${message ? `: ${message}` : ''}`);
    const e = this.entries.get(a.run.job);
    if (held && e && this.active.has(a.run.id)) this.lines.drain(e, at); // retrying: still active, but known
  }
}
