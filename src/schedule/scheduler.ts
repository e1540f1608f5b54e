/**
 * The scheduling core: a pure state machine over jobs, DAGs and their runs. Time comes in
 * as arguments (no clock, no timers); every call returns the decisions the controller must
 * carry out, in order (./decisions.ts). After a restart or a leader change, `load` rebuilds
 * the whole state from the applied resources and the persisted runs alone.
 *
 * What it decides:
 * - Scheduled fires from a queue of due times (./due-queue.ts): a tick costs about
 *   O(d log d) for d due entries, however many jobs wait.
 *   Run ids are `<job>@<UTC instant>` (src/core/ids.ts), so the same fire computed twice
 *   (restart, new leader, clock stepping back) is the same run. A job's cursor (its newest
 *   considered fire instant) only moves forward, so a clock going backwards fires nothing
 *   twice.
 * - Missed runs and catch-up after a gap: ./missed.ts.
 * - concurrencyPolicy: Allow; Forbid (the new run is recorded `skipped`); Replace (the active
 *   run is marked `killed` and its task killed, then the new one starts). Manual and
 *   parent-triggered runs obey it too. Some scheduled fires of a Job wait in line instead
 *   (./waiting.ts), e.g. while a run resumed by `load` is unconfirmed (`taskSeen`,
 *   `taskStarted`, `taskEnded` confirm it; CONFIRM_WAIT_MS bounds the wait).
 * - Retries with exponential backoff (./retry.ts) after a failed or lost attempt; a killed
 *   attempt is not retried. `timeoutSeconds` (maxDuration) counts from the attempt's start:
 *   the run is marked `timed_out`, its task killed, and it is not retried.
 * - Chronos parents (`after`): a job runs once every parent has a run that succeeded later
 *   than the child's last parent-triggered run; that run's instant (and id) is the newest of
 *   those success times, so re-deriving it after a leader change gives the same id. A job
 *   added later waits for parent successes after it was applied.
 * - DAG runs: one run per fire, task runs `<dagRunId>/<task>` started or skipped by trigger
 *   rules (./dag-steps.ts), the DAG run's state derived from its tasks'. Overrides of a
 *   manual DAG run apply to each task.
 * - Backfill (./backfill.ts): runs for the scheduled instants of a past window under their
 *   scheduled run ids, queued as `pending` runs without attempts and started within the
 *   backfill's bound and the job's policy whenever a run of the job ends.
 * - Manual runs `<job>@manual-<n>`, n one above the highest n of any persisted run of that
 *   name (also of a job since removed and added again). Run history always keeps that run
 *   (src/controller/history.ts), so n never repeats, across restarts and pruning alike.
 *
 * @example
 *   const s = new Scheduler();
 *   apply(s.load(appliedResources, persistedRuns, clock.now()));
 *   apply(s.tick(clock.now()));           // again at s.nextWakeAt() (see ./dispatcher.ts)
 *   apply(s.taskStarted(runId, 1, at));   // from Mesos status updates,
 *   apply(s.taskEnded(runId, 1, 'failed', at));    // outcome as src/mesos/status.ts maps it
 *   const { runId, decisions } = s.requestRun('nightly', clock.now(), { env: { FULL: '1' } });
 */
import { KairosError } from '../core/errors.js';
import { isFinalOutcome } from '../core/outcome.js';
import { backfillId, manualRunId, manualRunNumber, mesosTaskId, scheduledRunId } from '../core/ids.js';
import type { Run, RunOverrides, RunTrigger } from '../core/run.js';
import { awaitsOffer, isTerminalRun, type AppliedResource, type RunState } from '../core/types.js';
import { BackfillQueue, backfillInstants, backfillSlots, checkBackfillRequest, isQueuedBackfill, planBackfill, type BackfillItem, type BackfillRequest } from './backfill.js';
import { advanceDag, taskTemplate, type DagRunOps } from './dag-runs.js';
import type { Decision, TaskOutcome } from './decisions.js';
import { lastAttempt, newEntry, parentsOf, rememberRun, type Active, type Entry } from './entries.js';
import { DueQueue } from './due-queue.js';
import { collectDue, judgeDue } from './missed.js';
import { WaitingLines } from './waiting.js';
import { MAX_DROPPED_RELAUNCHES, mayRetry, retryDelayMs } from './retry.js';
import { Preemptions, preemptionDecisions } from './preemption.js';
import type { ClusterView } from '../core/cluster-view.js';

type Due =
  | { at: number; kind: 'fire'; job: string; gen: number }
  | { at: number; kind: 'retry' | 'timeout'; runId: string; n: number }
  | { at: number; kind: 'confirm' };

/**
 * How long after `load` a resumed in-flight run whose state was never confirmed (no status
 * at all, which reconciliation should prevent) stops holding back its job's waiting fires.
 */
export const CONFIRM_WAIT_MS = 120_000;

/** The scheduling state machine; see the module comment. Not safe for concurrent calls. */
export class Scheduler {
  /** `preemptAfterSeconds`: the default preemption grace (./preemption.ts); undefined: only jobs that set one preempt. */
  constructor(opts: { preemptAfterSeconds?: number } = {}) {
    this.preemptions = new Preemptions(opts.preemptAfterSeconds);
  }

  private readonly preemptions: Preemptions;
  private entries = new Map<string, Entry>();
  private active = new Map<string, Active>();
  private activeByJob = new Map<string, Set<string>>();
  private children = new Map<string, Set<string>>();
  /** Highest n of `<name>@manual-<n>` so far, by job name; kept when a job is removed. */
  private manualCounts = new Map<string, number>();
  private queue = new DueQueue<Due>();
  private readonly lines = new WaitingLines({
    activeOf: (job) => [...(this.activeByJob.get(job) ?? [])].map((id) => this.active.get(id)!),
    emit: (d) => void this.out.push(d),
    replace: (a, by, now) => this.terminate(a, 'killed', `replaced by ${by}`, 'replaced', now),
    start: (e, run, now) => this.launch(this.track({ run, template: e.resource.kind === 'Job' ? e.resource.spec : undefined }), now, now, false),
  });
  private backfills = new BackfillQueue();
  /** Jobs whose runs ended during the current call, with when: queued backfill runs may start. */
  private toPump = new Map<string, number>();
  private out: Decision[] = [];
  private readonly dagOps: DagRunOps = {
    resourceOf: (name) => this.entries.get(name)?.resource,
    start: (run, template, now) => this.launch(this.track({ run, template }), now, now, true),
    record: (run) => void this.out.push({ type: 'create', run }),
    finish: (a, state, at) => this.finish(a, state, at),
  };

  /**
   * Replaces all state with what `resources` and persisted `runs` imply, and returns the
   * launches that were due (runs created but never launched, retries whose time passed are
   * queued for the next tick). In-flight attempts are left to Mesos reconciliation: their
   * status comes back through `taskStarted` / `taskEnded`.
   */
  load(resources: AppliedResource[], runs: Run[], now: number): Decision[] {
    return this.collect(() => {
      this.entries.clear();
      this.active.clear();
      this.activeByJob.clear();
      this.children.clear();
      this.manualCounts.clear();
      this.queue = new DueQueue<Due>();
      this.backfills = new BackfillQueue();
      for (const r of resources) this.entries.set(r.resource.metadata.name, newEntry(r));
      for (const e of this.entries.values()) this.link(e);
      const tasksOf = new Map<string, Run[]>();
      for (const run of runs) {
        if (!run.dagRunId) continue;
        const list = tasksOf.get(run.dagRunId);
        if (list) list.push(run);
        else tasksOf.set(run.dagRunId, [run]);
      }
      for (const run of runs) {
        const e = run.dagRunId ? undefined : this.entries.get(run.job);
        if (e) rememberRun(e, run);
        const n = manualRunNumber(run.id);
        if (n !== undefined && !run.dagRunId) this.manualCounts.set(run.job, Math.max(n, this.manualCounts.get(run.job) ?? 0));
      }
      for (const run of runs) {
        if (run.dagRunId || isTerminalRun(run.state)) continue;
        if (isQueuedBackfill(run, tasksOf.has(run.id))) this.backfills.add(run);
        else this.resume(run, tasksOf.get(run.id) ?? [], now);
      }
      if ([...this.active.values()].some((a) => a.unconfirmed)) this.queue.push({ at: now + CONFIRM_WAIT_MS, kind: 'confirm' });
      for (const e of this.entries.values()) {
        e.waiting.sort((x, y) => x.scheduledAt - y.scheduledAt);
        this.lines.drain(e, now);
      }
      for (const e of this.entries.values()) this.arm(e);
      for (const job of this.backfills.jobs()) this.pump(job, now);
      for (const e of this.entries.values()) this.checkParents(e, now);
    });
  }

  /** Adds or updates a Job/DAG. A changed schedule or an un-suspend only fires from `now` on. */
  upsert(applied: AppliedResource, now: number): Decision[] {
    return this.collect(() => {
      const fresh = newEntry(applied);
      const old = this.entries.get(fresh.name);
      if (old) {
        this.unlink(old);
        const resumed = old.resource.spec.suspend && !fresh.resource.spec.suspend;
        const cursor = old.scheduleKey !== fresh.scheduleKey || resumed ? Math.max(old.cursor, now) : old.cursor;
        Object.assign(old, { resource: fresh.resource, revision: fresh.revision, schedule: fresh.schedule, scheduleKey: fresh.scheduleKey, cursor });
      } else this.entries.set(fresh.name, fresh);
      const e = this.entries.get(fresh.name)!;
      this.link(e);
      this.arm(e);
      this.pump(e.name, now);
    });
  }

  /** Forgets a Job/DAG; with `onPrune: kill` its active runs are killed, else they finish. */
  remove(name: string, now: number): Decision[] {
    return this.collect(() => {
      const e = this.entries.get(name);
      if (!e) return;
      this.unlink(e);
      this.entries.delete(name);
      for (const run of e.waiting.splice(0)) this.out.push({ type: 'update', run: { ...run, state: 'skipped', reason: 'its job was removed before its turn', endedAt: now } });
      for (const run of this.backfills.drop(name)) this.out.push({ type: 'update', run: { ...run, state: 'skipped', reason: 'its manifest was pruned before the backfill reached it', endedAt: now } });
      if (e.resource.spec.onPrune === 'kill') {
        for (const id of [...(this.activeByJob.get(name) ?? [])]) this.terminate(this.active.get(id)!, 'killed', 'its manifest was pruned', 'pruned', now);
      }
    });
  }

  /** Processes everything due at or before `now`: fires, retries, timeouts. */
  tick(now: number): Decision[] {
    return this.collect(() => {
      for (let due = this.queue.popDue(now); due; due = this.queue.popDue(now)) {
        if (due.kind === 'fire') {
          const e = this.entries.get(due.job);
          if (e && e.gen === due.gen) this.fire(e, due.at, now);
          continue;
        }
        if (due.kind === 'confirm') {
          for (const a of this.active.values()) if (a.unconfirmed) this.confirm(a.run.id, now);
          continue;
        }
        const a = this.active.get(due.runId);
        const att = a && lastAttempt(a.run);
        if (!a || !att || att.n !== due.n) continue;
        if (due.kind === 'retry' && att.endedAt !== undefined) this.launch(a, now, due.at, false);
        if (due.kind === 'timeout' && att.endedAt === undefined && att.startedAt !== undefined) {
          this.terminate(a, 'timed_out', `exceeded maxDuration of ${a.template?.timeoutSeconds} s`, 'timed_out', now);
        }
      }
    });
  }

  /** When `tick` next has something to do (epoch ms), or undefined when nothing is queued. */
  nextWakeAt(): number | undefined {
    return this.queue.peekAt();
  }

  /** The next scheduled instant of a job, for views; undefined if none (suspended, exhausted, parents only). */
  nextRunAt(name: string): number | undefined {
    const e = this.entries.get(name);
    return e && !e.resource.spec.suspend ? e.schedule?.next(e.cursor) : undefined;
  }

  /** The live record of a non-terminal run, if any. */
  activeRun(id: string): Run | undefined {
    return this.active.get(id)?.run;
  }

  /** Whether a waiting run is due to look for victims (./preemption.ts); cheap, for a poll. */
  preemptionDue(now: number): boolean {
    return this.preemptions.due(this.active.values(), now);
  }

  /** Kills lower-priority preemptible tasks for runs that waited past their grace (./preemption.ts). */
  preempt(view: ClusterView, now: number): Decision[] {
    return this.collect(() => {
      this.out.push(...this.preemptions.resend(this.active.values(), now));
      for (const p of this.preemptions.plan(this.active.values(), view, now)) this.out.push(...preemptionDecisions(p));
    });
  }

  /** An on-demand run of a Job or DAG; throws KairosError E_NOT_FOUND for an unknown name. */
  requestRun(name: string, now: number, overrides?: RunOverrides): { runId: string; decisions: Decision[] } {
    const e = this.entries.get(name);
    if (!e) throw new KairosError('E_NOT_FOUND', `no Job or DAG named ${JSON.stringify(name)}`);
    const n = (this.manualCounts.get(name) ?? 0) + 1;
    this.manualCounts.set(name, n);
    const runId = manualRunId(name, n);
    return { runId, decisions: this.collect(() => this.startRun(e, runId, 'manual', now, now, overrides)) };
  }

  /** Whether a run resumed by `load` still awaits its first status of this term. */
  awaitsStatus(runId: string): boolean {
    return this.active.get(runId)?.unconfirmed === true;
  }

  /**
   * Mesos told this term something about a run's task (any status, e.g. a reconciliation
   * answer that changed nothing): its state is known again, so fires of its job that waited
   * on it are judged now.
   */
  taskSeen(runId: string, now: number): Decision[] {
    return this.collect(() => this.confirm(runId, now));
  }

  /**
   * A backfill of `name` over [req.from, req.to] (./backfill.ts): the plan per instant and,
   * unless `dryRun`, the decisions creating (or resetting, to re-run) its runs and starting
   * the first ones. `existing` looks a stored run up by id (the core keeps no finished runs).
   */
  backfill(name: string, req: BackfillRequest, existing: (runId: string) => Run | undefined, now: number, dryRun = false): { id: string; items: BackfillItem[]; decisions: Decision[] } {
    const e = this.entries.get(name);
    if (!e) throw new KairosError('E_NOT_FOUND', `no Job or DAG named ${JSON.stringify(name)}`);
    if (!e.schedule) throw new KairosError('E_INVALID', `${name} has no schedule: it runs after its parents, so it has no instants to backfill`);
    checkBackfillRequest(req, now);
    const id = backfillId(now);
    const items = planBackfill(name, backfillInstants(e.schedule, req.from, req.to), existing, req.rerun);
    if (dryRun) return { id, items, decisions: [] };
    const decisions = this.collect(() => {
      for (const item of items) {
        if (item.action === 'skip') continue;
        const run: Run = { ...this.newRun(e, item.runId, 'backfill', item.at, now), reason: `queued by ${id}`, backfill: { id, maxParallel: req.maxParallel } };
        const old = item.action === 'rerun' ? existing(item.runId) : undefined;
        if (old) run.rerun = (old.rerun ?? 0) + 1;
        this.out.push({ type: old ? 'reset' : 'create', run });
        this.backfills.add(run);
      }
      this.pump(name, now);
    });
    return { id, items, decisions };
  }

  /** Withdraws a queued backfill run (killed before it started); nothing when it is not queued. */
  cancelQueued(runId: string, now: number): Decision[] {
    return this.collect(() => {
      const run = this.backfills.remove(runId);
      if (run) this.out.push({ type: 'update', run: { ...run, state: 'killed', reason: 'killed before the backfill started it', endedAt: now } });
    });
  }

  /** Mesos reported attempt `n` of a run running (outcome `running`). Idempotent. */
  taskStarted(runId: string, n: number, at: number): Decision[] {
    return this.collect(() => {
      this.confirm(runId, at);
      const a = this.active.get(runId);
      const att = a && lastAttempt(a.run);
      if (!a || !att || att.n !== n || att.endedAt !== undefined || att.startedAt !== undefined) return;
      att.startedAt = at;
      a.run.state = 'running';
      this.out.push({ type: 'update', run: a.run });
      const limit = a.template?.timeoutSeconds;
      if (limit !== undefined) this.queue.push({ at: at + limit * 1000, kind: 'timeout', runId, n });
    });
  }

  /** Mesos reported attempt `n` of a run ended. Idempotent; stale attempts are ignored. */
  taskEnded(runId: string, n: number, outcome: TaskOutcome, at: number, info: { exitStatus?: number; message?: string; mesosState?: string } = {}): Decision[] {
    return this.collect(() => {
      const a = this.active.get(runId);
      const att = a && lastAttempt(a.run);
      if (!a || !att || att.n !== n || att.endedAt !== undefined) return this.confirm(runId, at);
      const held = a.unconfirmed;
      a.unconfirmed = false;
      att.endedAt = at;
      if (info.exitStatus !== undefined) att.exitStatus = info.exitStatus;
      if (info.message !== undefined) att.message = info.message;
      // The state that ended it, not one seen earlier (e.g. RUNNING, stored before a restart).
      att.outcome = outcome;
      if (info.mesosState) att.mesosState = info.mesosState;
      this.afterAttempt(a, n, outcome, at, `attempt ${n} ${outcome}${info.message ? `: ${info.message}` : ''}`);
      const e = this.entries.get(a.run.job);
      if (held && e && this.active.has(runId)) this.lines.drain(e, at); // retrying: still active, but known
    });
  }

  /**
   * What follows an ended attempt: success or kill ends the run; a task Mesos never ran is
   * launched again at once without using a retry (bounded by MAX_DROPPED_RELAUNCHES);
   * failure or loss retries per policy, counting only attempts that ran, else ends it.
   */
  private afterAttempt(a: Active, n: number, ended: TaskOutcome, at: number, what: string): void {
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

  /** Runs one call into the core; backfill runs start last, once the call's own runs are tracked. */
  private collect(work: () => void): Decision[] {
    this.out = [];
    this.toPump.clear();
    work();
    for (const [job, at] of this.toPump) this.pump(job, at);
    return this.out;
  }

  private link(e: Entry): void {
    for (const p of parentsOf(e)) this.children.set(p, (this.children.get(p) ?? new Set()).add(e.name));
  }

  private unlink(e: Entry): void {
    for (const p of parentsOf(e)) this.children.get(p)?.delete(e.name);
  }

  /** Queues the entry's next fire after its cursor (and invalidates any older one). */
  private arm(e: Entry): void {
    e.gen++;
    if (e.resource.spec.suspend || !e.schedule) return;
    const at = e.schedule.next(e.cursor);
    if (at !== undefined) this.queue.push({ at, kind: 'fire', job: e.name, gen: e.gen });
  }

  private fire(e: Entry, dueAt: number, now: number): void {
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

  private checkParents(e: Entry, now: number): void {
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

  private newRun(of: { name: string; revision: string }, id: string, trigger: RunTrigger, scheduledAt: number, now: number): Run {
    return { id, job: of.name, trigger, scheduledAt, revision: of.revision, state: 'pending', attempts: [], createdAt: now };
  }

  /** Creates a run that is terminal from the start (missed, skipped). */
  private record(e: Entry, id: string, trigger: RunTrigger, at: number, now: number, state: RunState, reason: string): void {
    this.out.push({ type: 'create', run: { ...this.newRun(e, id, trigger, at, now), state, reason, endedAt: now } });
  }

  /** Starts a top-level run under the entry's concurrency policy. */
  private startRun(e: Entry, id: string, trigger: RunTrigger, at: number, now: number, overrides?: RunOverrides, behindBatch = false): void {
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
    run.state = 'running';
    const a = this.track({ run, dag: { spec: e.resource.spec, tasks: new Map() } });
    this.out.push({ type: 'create', run });
    advanceDag(this.dagOps, a, now);
  }

  /** A resumed run's state is known again: judge the fires its job held back. */
  private confirm(runId: string, now: number): void {
    const a = this.active.get(runId);
    if (!a?.unconfirmed) return;
    a.unconfirmed = false;
    const e = this.entries.get(a.run.job);
    if (e) this.lines.drain(e, now);
  }

  /** Starts queued backfill runs of a job while the backfill's bound and the job's policy allow. */
  private pump(job: string, now: number): void {
    const e = this.entries.get(job);
    if (!e || e.resource.spec.suspend) return;
    for (let run = this.backfills.peek(job); run; run = this.backfills.peek(job)) {
      const active = [...(this.activeByJob.get(job) ?? [])];
      const ofBackfill = active.filter((id) => this.active.get(id)?.run.backfill?.id === run!.backfill!.id).length;
      if (backfillSlots(e.resource.spec.concurrencyPolicy, run.backfill!.maxParallel, active.length, ofBackfill) <= 0) return;
      this.backfills.shift(job);
      delete run.reason;
      if (e.resource.kind === 'Job') {
        this.launch(this.track({ run, template: e.resource.spec }), now, now, false);
        continue;
      }
      run.state = 'running';
      const a = this.track({ run, dag: { spec: e.resource.spec, tasks: new Map() } });
      this.out.push({ type: 'update', run });
      advanceDag(this.dagOps, a, now);
    }
  }

  /** Continues a persisted non-terminal run after `load`. */
  private resume(run: Run, taskRuns: Run[], now: number): void {
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
      // decide again from the recorded Mesos state; a retry keeps its original time.
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

  private track(a: Active): Active {
    this.active.set(a.run.id, a);
    if (!a.run.dagRunId) this.activeByJob.set(a.run.job, (this.activeByJob.get(a.run.job) ?? new Set()).add(a.run.id));
    return a;
  }

  /** Appends the next attempt and asks for its launch. */
  private launch(a: Active, now: number, notBefore: number, isNew: boolean, reason?: string): void {
    const run = a.run;
    const n = run.attempts.length + 1;
    const attempt = { n, taskId: mesosTaskId(run.id, n, run.rerun), intentAt: now, notBefore };
    run.attempts.push(attempt);
    run.state = 'pending';
    if (reason) run.reason = reason;
    this.out.push({ type: isNew ? 'create' : 'update', run });
    this.out.push({ type: 'launch', run, attempt, template: a.template!, overrides: run.overrides });
  }

  /** Marks a run terminal and follows the consequences (DAG step, children). */
  private finish(a: Active, state: RunState, at: number, reason?: string): void {
    const run = a.run;
    run.state = state;
    run.endedAt = at;
    if (reason !== undefined) run.reason = reason;
    else if (state === 'succeeded') delete run.reason; // no stale "retry at ..." on a success
    this.active.delete(run.id);
    this.activeByJob.get(run.job)?.delete(run.id);
    this.out.push({ type: 'update', run });
    if (!run.dagRunId) {
      const e = this.entries.get(run.job);
      if (e) this.lines.drain(e, at);
    }
    if (run.dagRunId) {
      const parent = this.active.get(run.dagRunId);
      if (parent) advanceDag(this.dagOps, parent, at);
    } else if (state === 'succeeded') {
      const e = this.entries.get(run.job);
      if (e) e.lastSuccessAt = Math.max(e.lastSuccessAt, at);
      for (const child of this.children.get(run.job) ?? []) this.checkParents(this.entries.get(child)!, at);
    }
    if (!run.dagRunId) this.toPump.set(run.job, at);
  }

  /** Ends a run on the controller's initiative (Replace, timeout, prune) and kills its task(s). */
  private terminate(a: Active, state: RunState, reason: string, why: 'replaced' | 'timed_out' | 'pruned', now: number): void {
    this.finish(a, state, now, reason);
    const att = lastAttempt(a.run);
    if (att && att.endedAt === undefined) this.out.push({ type: 'kill', runId: a.run.id, taskId: att.taskId, reason: why });
    for (const t of a.dag?.tasks.values() ?? []) {
      const child = this.active.get(t.id);
      if (child) this.terminate(child, 'killed', `DAG run ${a.run.id}: ${reason}`, why, now);
    }
  }
}

/** How many of the run's last attempts in a row Mesos dropped (never ran). */
function trailingDropped(run: { attempts: { dropped?: boolean }[] }): number {
  let k = 0;
  for (let i = run.attempts.length - 1; i >= 0 && run.attempts[i].dropped; i--) k++;
  return k;
}
