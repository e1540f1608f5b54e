/**
 * The scheduling core: a pure state machine over jobs, DAGs and their runs, and the one
 * owner of their state (placement and task statuses included, ./task-events.ts). Time comes in
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
 *   (./waiting.ts), e.g. while a run resumed by `load` is unconfirmed (any status,
 *   `statusChanged`, confirms it; CONFIRM_WAIT_MS bounds the wait).
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
 * Split by responsibility: ./core-state.ts (state, bookkeeping), ./transitions.ts (how runs
 * move), ./task-events.ts (what Mesos tells), this file (the calls the controller makes).
 *
 * @example
 *   const s = new Scheduler();
 *   apply(s.load(appliedResources, persistedRuns, clock.now()));
 *   apply(s.tick(clock.now()));           // again at s.nextWakeAt() (see ./dispatcher.ts)
 *   apply(s.placed(storedRun, taskId, { agentId, hostname }, clock.now()));  // before ACCEPT
 *   apply(s.statusChanged(storedRun, update, clock.now()));  // a Mesos status, as src/mesos/status.ts translates it
 *   const { runId, decisions } = s.requestRun('nightly', clock.now(), { env: { FULL: '1' } });
 */
import { KairosError } from '../core/errors.js';
import { backfillId, manualRunId, manualRunNumber } from '../core/ids.js';
import type { Run, RunOverrides } from '../core/run.js';
import { isTerminalRun, type AppliedResource } from '../core/types.js';
import { BackfillQueue, backfillInstants, checkBackfillRequest, isQueuedBackfill, planBackfill, type BackfillItem, type BackfillRequest } from './backfill.js';
import type { Decision } from './decisions.js';
import { lastAttempt, newEntry, rememberRun } from './entries.js';
import { DueQueue } from './due-queue.js';
import type { Due } from './core-state.js';
import { TaskEvents } from './task-events.js';
import { Preemptions, preemptionDecisions } from './preemption.js';
import type { ClusterView } from '../core/cluster-view.js';

/**
 * How long after `load` a resumed in-flight run whose state was never confirmed (no status
 * at all, which reconciliation should prevent) stops holding back its job's waiting fires.
 */
export const CONFIRM_WAIT_MS = 120_000;

/** The scheduling state machine; see the module comment. Not safe for concurrent calls. */
export class Scheduler extends TaskEvents {
  private readonly preemptions: Preemptions;

  /** `preemptAfterSeconds`: the default preemption grace (./preemption.ts); undefined: only jobs that set one preempt. */
  constructor(opts: { preemptAfterSeconds?: number } = {}) {
    super();
    this.preemptions = new Preemptions(opts.preemptAfterSeconds);
  }

  /**
   * Replaces all state with what `resources` and persisted `runs` imply, and returns the
   * launches that were due (runs created but never launched, retries whose time passed are
   * queued for the next tick). In-flight attempts are left to Mesos reconciliation: their
   * status comes back through `statusChanged`.
   */
  load(resources: AppliedResource[], stored: Run[], now: number): Decision[] {
    // The core changes the runs it drives in place: its own copies, never the caller's.
    const runs = stored.map((r) => (isTerminalRun(r.state) ? r : structuredClone(r)));
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
}
