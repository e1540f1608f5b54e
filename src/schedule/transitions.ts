/**
 * How runs move (pure): fires under the concurrency policy, parent-triggered starts,
 * launches and their attempts, what follows an ended attempt (finish, relaunch, retry),
 * ending runs on the controller's initiative, starting queued backfill runs, and resuming
 * stored runs after `load`. Each transition appends its decisions to the call in progress
 * (./core-state.ts); the module comment of ./scheduler.ts says what is decided and why.
 */
import { isFinalOutcome } from '../core/outcome.js';
import { scheduledRunId } from '../core/ids.js';
import type { Run, RunOverrides, RunTrigger } from '../core/run.js';
import { awaitsOffer, isTerminalRun, type RunState } from '../core/types.js';
import { backfillSlots } from './backfill.js';
import { advanceDag, taskTemplate } from './dag-runs.js';
import type { TaskOutcome } from './decisions.js';
import { lastAttempt, parentsOf, type Active, type Entry } from './entries.js';
import { collectDue, judgeDue } from './missed.js';
import { MAX_DROPPED_RELAUNCHES, mayRetry, retryDelayMs } from './retry.js';
import { CoreState, type TerminateWhy } from './core-state.js';

/** The run transitions over the core's state. */
export abstract class Transitions extends CoreState {
  protected fire(e: Entry, dueAt: number, now: number): void {
    const { instants, dropFrom } = collectDue(e.schedule!, e.cursor, now);
    if (dropFrom !== undefined) this.out.push({ type: 'dropped', job: e.name, from: dropFrom, to: instants[0] });
    let earlier = false; // an earlier instant of this same batch was started
    for (const v of judgeDue(instants, now, e.resource.spec)) {
      const id = scheduledRunId(e.name, v.at);
      if (v.run) this.startRun(e, id, v.trigger, v.at, now, undefined, earlier);
      else this.record(e, id, v.trigger, v.at, now, 'missed', v.reason!);
      earlier ||= v.run;
    }
    e.cursor = Math.max(e.cursor, dueAt, ...instants.slice(-1));
    this.arm(e);
  }

  protected checkParents(e: Entry, now: number): void {
    const parents = parentsOf(e);
    if (parents.length === 0 || e.resource.spec.suspend) return;
    let newest = -Infinity;
    for (const p of parents) {
      const at = this.entries.get(p)?.lastSuccessAt ?? -Infinity;
      if (at <= e.lastParentsRunAt) return;
      newest = Math.max(newest, at);
    }
    e.lastParentsRunAt = newest;
    this.startRun(e, scheduledRunId(e.name, newest), 'parents', newest, now);
  }

  /** Starts a top-level run under the entry's concurrency policy. */
  protected startRun(e: Entry, id: string, trigger: RunTrigger, at: number, now: number, overrides?: RunOverrides, behindBatch = false): void {
    const running = [...(this.activeByJob.get(e.name) ?? [])];
    const policy = e.resource.spec.concurrencyPolicy;
    if (this.lines.mustWait(e, trigger, behindBatch)) return this.lines.enqueue(e, this.newRun(e, id, trigger, at, now), now);
    if (running.length > 0 && policy === 'Forbid') {
      return this.record(e, id, trigger, at, now, 'skipped', `concurrencyPolicy Forbid: ${running[0]} is still active`);
    }
    if (policy === 'Replace') for (const r of running) this.terminate(this.active.get(r)!, 'killed', `replaced by ${id}`, 'replaced', now);
    const run = this.newRun(e, id, trigger, at, now);
    if (overrides) run.overrides = overrides;
    if (e.resource.kind === 'Job') return this.launch(this.track({ run, template: e.resource.spec }), now, now, true);
    this.startDag(e, run, now, true);
  }

  /** Starts queued backfill runs of a job while the backfill's bound and the job's policy allow. */
  protected pump(job: string, now: number): void {
    const e = this.entries.get(job);
    if (!e || e.resource.spec.suspend) return;
    for (let run = this.backfills.peek(job); run; run = this.backfills.peek(job)) {
      const active = [...(this.activeByJob.get(job) ?? [])];
      const ofBackfill = active.filter((id) => this.active.get(id)?.run.backfill?.id === run!.backfill!.id).length;
      if (backfillSlots(e.resource.spec.concurrencyPolicy, run.backfill!.maxParallel, active.length, ofBackfill) <= 0) return;
      this.backfills.shift(job);
      delete run.reason;
      if (e.resource.kind === 'Job') this.launch(this.track({ run, template: e.resource.spec }), now, now, false);
      else this.startDag(e, run, now, false);
    }
  }

  /** Appends the next attempt and asks for its launch. */
  protected launch(a: Active, now: number, notBefore: number, isNew: boolean, reason?: string): void {
    const run = a.run;
    const attempt = this.nextAttempt(run, now, notBefore);
    run.state = 'pending';
    if (reason) run.reason = reason;
    this.out.push({ type: isNew ? 'create' : 'update', run });
    this.out.push({ type: 'launch', run, attempt, template: a.template!, overrides: run.overrides });
  }

  /**
   * What follows an ended attempt: success or kill ends the run; a task Mesos never ran is
   * launched again at once without using a retry (bounded by MAX_DROPPED_RELAUNCHES);
   * failure or loss retries per policy, counting only attempts that ran, else ends it.
   */
  protected afterAttempt(a: Active, n: number, ended: TaskOutcome, at: number, what: string): void {
    let outcome = ended === 'gone' ? (lastAttempt(a.run)?.startedAt !== undefined ? 'lost' : 'dropped') : ended;
    const preemptedBy = lastAttempt(a.run)?.preemptedBy;
    if (preemptedBy && outcome !== 'succeeded' && a.template) return this.launch(a, at, at, false, `attempt ${n} preempted by ${preemptedBy}: waiting to run again`);
    if (outcome === 'succeeded' || outcome === 'killed') return this.finish(a, outcome, at, outcome === 'killed' ? what : undefined);
    if (outcome === 'error') return this.finish(a, 'failed', at, `${what} (refused by Mesos: not retried)`);
    if (outcome === 'dropped') {
      const att = lastAttempt(a.run)!;
      att.dropped = true;
      if (trailingDropped(a.run) <= MAX_DROPPED_RELAUNCHES && a.template) return this.launch(a, at, at, false);
      outcome = 'lost';
    }
    const policy = a.template?.retries;
    const ran = a.run.attempts.filter((x) => !x.dropped && !x.preemptedBy).length;
    if (!policy || ran === 0 || !mayRetry(policy, ran)) return this.finish(a, outcome === 'lost' ? 'lost' : 'failed', at, what);
    const retryAt = at + retryDelayMs(policy, ran);
    a.run.state = 'pending';
    a.run.reason = `${what}; attempt ${n + 1} of ${policy.count + 1} at ${new Date(retryAt).toISOString()}`;
    this.out.push({ type: 'update', run: a.run });
    this.queue.push({ at: retryAt, kind: 'retry', runId: a.run.id, n });
  }

  /** Marks a run terminal and follows the consequences (DAG step, children). */
  protected finish(a: Active, state: RunState, at: number, reason?: string): void {
    const run = a.run;
    run.state = state;
    run.endedAt = at;
    if (reason !== undefined) run.reason = reason;
    else if (state === 'succeeded') delete run.reason; // no stale "retry at ..." on a success
    this.active.delete(run.id);
    this.activeByJob.get(run.job)?.delete(run.id);
    this.out.push({ type: 'update', run });
    if (run.dagRunId) {
      const parent = this.active.get(run.dagRunId);
      if (parent) advanceDag(this.dagOps, parent, at);
      return;
    }
    const e = this.entries.get(run.job);
    if (e) this.lines.drain(e, at);
    if (state === 'succeeded') {
      if (e) e.lastSuccessAt = Math.max(e.lastSuccessAt, at);
      for (const child of this.children.get(run.job) ?? []) this.checkParents(this.entries.get(child)!, at);
    }
    this.toPump.set(run.job, at);
  }

  /** Ends a run on the controller's initiative (Replace, timeout, prune) and kills its task(s). */
  protected terminate(a: Active, state: RunState, reason: string, why: TerminateWhy, now: number): void {
    this.finish(a, state, now, reason);
    const att = lastAttempt(a.run);
    if (att && att.endedAt === undefined) this.out.push({ type: 'kill', runId: a.run.id, taskId: att.taskId, reason: why });
    for (const t of a.dag?.tasks.values() ?? []) {
      const child = this.active.get(t.id);
      if (child) this.terminate(child, 'killed', `DAG run ${a.run.id}: ${reason}`, why, now);
    }
  }

  /** Continues a persisted non-terminal run after `load`. */
  protected resume(run: Run, taskRuns: Run[], now: number): void {
    const e = this.entries.get(run.job);
    if (e?.resource.kind === 'Job' && run.state === 'pending' && run.attempts.length === 0 && !run.dagRunId && (run.trigger === 'schedule' || run.trigger === 'catch-up')) {
      return void e.waiting.push(run); // queued behind another run: load() drains in order
    }
    if (e?.resource.kind === 'DAG' || taskRuns.length > 0) {
      const a = this.track({ run, dag: e?.resource.kind === 'DAG' ? { spec: e.resource.spec, tasks: new Map(taskRuns.map((t) => [t.task!, t])) } : undefined });
      if (!a.dag) return this.finish(a, 'killed', now, 'its DAG no longer exists');
      for (const t of taskRuns) if (!isTerminalRun(t.state)) this.resumeAttempts(this.track({ run: t, template: taskTemplate(a.dag.spec, t.task!, this.dagOps.resourceOf) }), now);
      return advanceDag(this.dagOps, a, now);
    }
    this.resumeAttempts(this.track({ run, template: e?.resource.kind === 'Job' ? e.resource.spec : undefined }), now);
  }

  private resumeAttempts(a: Active, now: number): void {
    const att = lastAttempt(a.run);
    if (!att) return a.template ? this.launch(a, now, now, false) : this.finish(a, 'failed', now, 'its job no longer exists');
    if (att.endedAt === undefined && (a.run.state === 'launching' || a.run.state === 'running')) a.unconfirmed = true;
    // A preemption recorded before a crash may not have sent its kill: send it (again).
    if (att.endedAt === undefined && att.preemptedBy) this.out.push({ type: 'kill', runId: a.run.id, taskId: att.taskId, reason: 'preempted', by: att.preemptedBy });
    if (att.endedAt !== undefined) {
      // The attempt's end was stored but maybe not what followed (a crash in between):
      // decide again from the recorded outcome; a retry keeps its original time.
      const outcome = att.outcome && isFinalOutcome(att.outcome) ? att.outcome : 'failed';
      return this.afterAttempt(a, att.n, outcome, att.endedAt, `attempt ${att.n} ${outcome}`);
    }
    if (awaitsOffer(a.run.state) && att.startedAt === undefined && a.template) {
      // Decided but never placed on an offer (no `launching` recorded): ask again, same task id.
      return void this.out.push({ type: 'launch', run: a.run, attempt: att, template: a.template, overrides: a.run.overrides });
    }
    const limit = a.template?.timeoutSeconds;
    if (att.startedAt !== undefined && limit !== undefined) this.queue.push({ at: att.startedAt + limit * 1000, kind: 'timeout', runId: a.run.id, n: att.n });
  }
}

/** How many of the run's last attempts in a row Mesos dropped (never ran). */
function trailingDropped(run: { attempts: { dropped?: boolean }[] }): number {
  let k = 0;
  for (let i = run.attempts.length - 1; i >= 0 && run.attempts[i].dropped; i--) k++;
  return k;
}
