/**
 * Dispatch: the one owner of run state in a leadership term. It holds the pure schedule
 * core (src/schedule/scheduler.ts) privately and takes a typed inbox (./inbox.ts); each
 * message is one step: the core decides, the run lifecycle (./runs.ts) carries the
 * decisions out, then the message's promise settles. Steps run one at a time, so batches
 * are written in the order they were decided; after each step a single Clock timer is
 * armed for the core's `nextWakeAt()` (controller-runtime `reconcileHandler`, graphile/worker `cronMatcher`: the loop owns
 * timing, the core is pure). The framework hooks are two messages: `Placed` resolves once the placement is
 * written (then ACCEPT), `StatusChanged` once the status and what it caused are written
 * (then ACKNOWLEDGE).
 */
import { KairosError, messageOf } from '../core/errors.js';
import type { Run } from '../core/run.js';
import { isTerminalRun, type AppliedResource } from '../core/types.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { Clock } from '../ports/clock.js';
import type { SecretOverrides } from '../secrets/run-overrides.js';
import { alwaysGeneric, RetryLoop, type BackoffPolicy } from '../core/retry.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, KnownTask, PlacedLaunch, TaskStatusUpdate } from '../ports/mesos.js';
import type { Decision } from '../schedule/decisions.js';
import { Scheduler } from '../schedule/scheduler.js';
import type { DispatchMessage, ReplyOf, StatusChanged } from './inbox.js';
import type { RunLedger } from './run-ledger.js';
import type { RunLifecycle } from './runs.js';

/** What the dispatch loop drives and reads. */
export interface DispatchDeps {
  lifecycle: RunLifecycle;
  ledger: RunLedger;
  clock: Clock;
  logger: Logger;
  /** The applied resources, by name (the controller's applied state). */
  applied(): ReadonlyMap<string, AppliedResource>;
  /** The resource as the core should see it (a paused job is suspended). */
  effective(a: AppliedResource): AppliedResource;
  /** Called after every batch that ended runs, with their jobs (history bounding). */
  afterRunsEnded(jobs: Set<string>): Promise<void>;
  /** The framework's view of the agents now, for preemption; undefined without a framework. */
  clusterView(): ClusterView | undefined;
  /** Holds secret run overrides in memory for the launch (src/secrets/run-overrides.ts). */
  secretOverrides?: SecretOverrides;
  /** `--preemption-after`: the default preemption grace (src/schedule/preemption.ts). */
  preemptAfterSeconds?: number;
}

/** Backoff of a failed batch: retried (after a reload from the store) from 1 s, doubling up to 60 s. */
export const RESYNC_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000 };

/**
 * After a restart: the attempts that were placed on an agent (intent written, ACCEPT maybe
 * sent) are handed to reconciliation as known tasks; the schedule core itself re-queues
 * the ones never placed (`load`).
 */
export function knownTasks(runs: Run[]): KnownTask[] {
  const known: KnownTask[] = [];
  for (const run of runs) {
    const a = run.attempts.at(-1);
    if (!isTerminalRun(run.state) && a?.agentId && a.endedAt === undefined) known.push({ taskId: a.taskId, agentId: a.agentId, ...(a.cluster !== undefined && { cluster: a.cluster }) });
  }
  return known;
}

/** Work refused after `stop()`: the caller must not treat it as done (a status stays unacknowledged). */
function notLeading(): KairosError {
  return new KairosError('E_UNAVAILABLE', 'this controller is not leading: nothing is scheduled or recorded');
}

/** Serialises the core's steps and the execution of their decisions; arms the wake-up timer. */
export class Dispatch {
  /** The framework hooks of this controller: each posts a message and resolves once it was written. */
  readonly hooks: FrameworkHooks = {
    persistLaunch: (launches) => this.post({ type: 'Placed', launches }),
    onStatus: (update) => this.post({ type: 'StatusChanged', update }),
    clusterOf: (taskId) => this.d.ledger.byTask(taskId)?.attempts.find((a) => a.taskId === taskId)?.cluster,
  };
  private readonly core: Scheduler;
  /** The applied resources last given to the core (by name). */
  private given = new Map<string, AppliedResource>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  /**
   * The one wake-up timer and the failed batches in a row: while any failed, the core is
   * reloaded from the store before the next batch. Every failure is retried (generic): a
   * reload is how the core and the store agree again.
   */
  private readonly retry: RetryLoop;

  constructor(private readonly d: DispatchDeps) {
    this.core = new Scheduler({ preemptAfterSeconds: d.preemptAfterSeconds });
    this.retry = new RetryLoop(d.clock, RESYNC_BACKOFF, alwaysGeneric);
  }

  /**
   * Queues a message. Resolves with its reply once the core's decisions about it were
   * carried out; a failure is logged, rethrown to the caller, and the next step first
   * reloads the core from the store.
   */
  post<M extends DispatchMessage>(m: M): Promise<ReplyOf<M>> {
    if (this.stopped) return Promise.reject(notLeading());
    let reply: unknown;
    const next = this.chain.then(async () => {
      if (this.stopped) throw notLeading();
      if (this.retry.failures > 0) {
        // The core may have decided what the store does not hold, and the store may hold what was never acted on.
        await this.d.ledger.load();
        await this.carryOut(this.load(this.d.clock.now()));
        this.retry.succeeded();
      }
      const now = this.d.clock.now();
      // Only a status may wait before the core decides (adopting a task the store does not know).
      const step = m.type === 'StatusChanged' ? await this.statusChanged(m.update, now) : this.decide(m, now);
      reply = step.reply;
      await this.carryOut(step.decisions);
      this.arm();
    });
    this.chain = next.catch((err) => {
      if (this.stopped) return;
      const retryInMs = this.retry.failed(err)!;
      this.d.logger.error('dispatch failed: reloading from the store', { error: messageOf(err), retryInMs });
      this.armIn(retryInMs);
    });
    return next.then(() => reply as ReplyOf<M>);
  }

  /** Whether a waiting run passed its preemption grace (cheap: for the preemption poll, src/controller/preemption.ts). */
  preemptionDue(now: number): boolean {
    return this.core.preemptionDue(now);
  }

  /** Accepts work again after `stop()` (leadership regained). */
  start(): void {
    this.stopped = false;
  }

  /** Stops the wake-up timer; queued work is dropped. Resolves when the batch in flight ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retry.cancel();
    await this.chain;
  }

  /** What the core decides about one message (and the message's reply). */
  private decide(m: Exclude<DispatchMessage, StatusChanged>, now: number): { decisions: Decision[]; reply?: unknown } {
    const core = this.core;
    switch (m.type) {
      case 'Tick':
        return { decisions: core.tick(now) };
      case 'Loaded':
        return { decisions: [...this.load(now), ...core.tick(now)] };
      case 'Applied':
        return { decisions: this.followApplied(now, m.again ?? []) };
      case 'RunRequested': {
        const { runId, decisions } = core.requestRun(m.job, now, m.overrides);
        // Held before the decisions run: the first launch may be among them.
        if (m.secretEnv) this.d.secretOverrides?.hold(runId, m.secretEnv);
        return { decisions, reply: runId };
      }
      case 'BackfillRequested': {
        const { id, items, decisions } = core.backfill(m.job, m.request, (runId) => this.d.ledger.get(runId), now, m.dryRun);
        return { decisions, reply: { id, items } };
      }
      case 'KillRequested':
        if (m.attempt === undefined) return { decisions: core.cancelQueued(m.runId, now) };
        return { decisions: core.taskEnded(m.runId, m.attempt, 'killed', now, { message: 'killed before launch' }) };
      case 'PreemptionDue': {
        // Judged when the step runs, with the agents as the framework sees them then.
        const view = core.preemptionDue(now) ? this.d.clusterView() : undefined;
        return { decisions: view ? core.preempt(view, now) : [] };
      }
      case 'UnschedulableJudged':
        return { decisions: core.unschedulable(m.changes, (runId) => this.d.ledger.get(runId)) };
      case 'Placed':
        return { decisions: m.launches.flatMap((p) => this.placed(p, now)) };
    }
  }

  /** What the core decides about a task status; a task the store does not know is adopted first. */
  private async statusChanged(u: TaskStatusUpdate, now: number): Promise<{ decisions: Decision[]; reply?: undefined }> {
    const stored = this.d.ledger.byTask(u.taskId) ?? (await this.d.lifecycle.adopt(u, now));
    return { decisions: stored ? this.core.statusChanged(stored, u, now) : [] };
  }

  private placed(p: PlacedLaunch, now: number): Decision[] {
    const stored = this.d.ledger.get(p.request.runId);
    return stored ? this.core.placed(stored, p.request.taskId, p, now) : [];
  }

  /** Carries decisions out; launches refused before Mesos (secrets) come back as statuses. */
  private carryOut(decisions: Decision[]): Promise<void> {
    return this.d.lifecycle.execute(decisions).then((refused) => this.afterBatch(decisions, refused));
  }

  private async afterBatch(decisions: Decision[], refused: TaskStatusUpdate[]): Promise<void> {
    const ended = new Set<string>();
    for (const x of decisions) if ((x.type === 'create' || x.type === 'update') && isTerminalRun(x.run.state)) ended.add(x.run.job);
    if (ended.size) await this.d.afterRunsEnded(ended);
    for (const update of refused) {
      // Not awaited: it is the next step of this queue.
      this.post({ type: 'StatusChanged', update }).catch((e) => this.d.logger.warn('recording the refused launch failed', { task: update.taskId, error: messageOf(e) }));
    }
  }

  /** Replaces the core's state with the applied resources and the ledger's runs. */
  private load(now: number): Decision[] {
    const applied = this.d.applied();
    this.given = new Map(applied);
    return this.core.load([...applied.values()].map((a) => this.d.effective(a)), this.d.ledger.all(), now);
  }

  /**
   * Gives the core every applied resource it was not given yet (and those in `again`) and
   * removes the ones no longer applied. Compared with what the core was given, not with the
   * last plan: a pass that committed its apply and then failed left the core behind, and
   * the next pass plans no change.
   */
  private followApplied(now: number, again: string[]): Decision[] {
    const applied = this.d.applied();
    const out: Decision[] = [];
    const same = (a: AppliedResource, b: AppliedResource | undefined) => b !== undefined && a.revision === b.revision && a.appliedAt === b.appliedAt;
    for (const [name, a] of applied) if (!same(a, this.given.get(name)) || again.includes(name)) out.push(...this.core.upsert(this.d.effective(a), now));
    for (const name of this.given.keys()) if (!applied.has(name)) out.push(...this.core.remove(name, now));
    this.given = new Map(applied);
    return out;
  }

  /** (Re)arms the single timer for the core's next due time. */
  private arm(): void {
    const at = this.core.nextWakeAt();
    if (at === undefined) this.retry.disarm();
    else this.armIn(at - this.d.clock.now());
  }

  /** (Re)arms the single timer: a tick in `ms` (which first resyncs after a failure). */
  private armIn(ms: number): void {
    this.retry.disarm();
    if (this.stopped) return;
    this.retry.arm(ms, () => {
      this.post({ type: 'Tick' }).catch(() => {});
    });
  }
}
