/**
 * The GitOps controller: converges Mesos to the repository. It joins the sync loop
 * (source → plan → apply, ./sync-loop.ts, ./sync-pass.ts), the schedule core
 * (src/schedule/scheduler.ts, driven by ./dispatch.ts) and the run lifecycle (./runs.ts,
 * the framework hooks), and implements the API's ports (./view.ts, ./actions.ts).
 *
 * Only the leader works. On winning leadership it reloads everything from the store, seeds
 * the framework with the tasks it knows (reconciliation adopts what still runs), re-queues
 * attempts that were written but never placed, and starts syncing; on losing it stops at
 * once. Adapters (store, source, framework, clock) come in through `ControllerOptions`;
 * src/wiring.ts builds the real ones.
 */
import { KairosError, ManifestError, messageOf } from '../core/errors.js';
import { alwaysGeneric, RetryLoop } from '../core/retry.js';
import type { AppliedResource } from '../core/types.js';
import { stripUrlCredentials } from '../core/url-credentials.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { ControllerActions, ControllerView } from '../ports/controller.js';
import type { Leadership } from '../ports/leader.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, MesosFramework } from '../ports/mesos.js';
import type { SecretProvider } from '../ports/secrets.js';
import type { SecretOverrides } from '../secrets/run-overrides.js';
import type { ManifestSource } from '../ports/source.js';
import type { Store } from '../ports/store.js';
import type { Plan } from '../plan/types.js';
import type { OutboxEntry } from '../notify/events.js';
import { Notifier, type NotifierDeps } from '../notify/notifier.js';
import { slaBreaches } from '../notify/sla.js';
import { DEFAULT_UNSCHEDULABLE_AFTER_MS } from '../schedule/unschedulable.js';
import { ControllerActionsImpl } from './actions.js';
import { Dispatch, knownTasks } from './dispatch.js';
import { PreemptionLoop } from './preemption.js';
import type { ClusterView } from '../core/cluster-view.js';
import { ControllerEmitter } from './events.js';
import { overHistory } from './history.js';
import { RunLedger } from './run-ledger.js';
import { RunLifecycle } from './runs.js';
import { ControllerState } from './state.js';
import { FollowerReads } from './follower-reads.js';
import { SyncLoop } from './sync-loop.js';
import { planView, syncPass, type SyncPassDeps } from './sync-pass.js';
import { UnschedulableWatch } from './unschedulable-watch.js';
import { StateView } from './view.js';
import { watchDirectory, type DirectoryWatch } from './watch.js';

/** Everything the controller is built from. */
export interface ControllerOptions {
  store: Store;
  source: ManifestSource;
  clock: Clock;
  logger: Logger;
  leadership: Leadership;
  /**
   * Builds a Mesos framework around the controller's hooks, once per leadership term
   * (a stopped framework is not restarted: its subscription and master detector are gone).
   */
  framework(hooks: FrameworkHooks): MesosFramework;
  pollMs: number;
  prune: boolean;
  allowMassPrune: boolean;
  /** Apply a head that does not descend from the applied commit (default: the sync fails). */
  allowRewind?: boolean;
  /** Global cap on finished runs kept. */
  historyCap: number;
  /** For a directory source: watch it and sync on changes (debounced). */
  watch?: { dir: string; debounceMs: number };
  /** Retry backoff of failed syncs. */
  syncBackoff?: { initialMs: number; maxMs: number };
  /** Resolves jobs' `secrets:` at launch (src/ports/secrets.ts). */
  secrets?: SecretProvider;
  /** Named Mesos clusters (`--cluster`): a job's `spec.clusters` naming another fails the sync. */
  clusters?: readonly string[];
  /** Secret env values of manual runs, held in memory for their launches. */
  secretOverrides?: SecretOverrides;
  /** Notifications and SLAs (src/notify); without it no notification is written. */
  notify?: Pick<NotifierDeps, 'config' | 'sender' | 'metrics' | 'intervalMs'>;
  /** Default preemption grace for jobs without `spec.preemption` (`--preemption-after`); undefined: none. */
  preemptAfterSeconds?: number;
  /** `--unschedulable-after`: how long a run waits before it is judged unschedulable (default 5 min). */
  unschedulableAfterMs?: number;
}

/** How often a follower re-reads the store for its read view without a change notification (at least; the poll interval if longer). */
export const FOLLOWER_REFRESH_MS = 5000;

/** How long after a failed start of a leadership term (the store could not be read) it is tried again. */
export const LEAD_RETRY_MS = 1000;

/** A running controller. */
export class Controller {
  readonly events = new ControllerEmitter();
  readonly view: ControllerView;
  readonly actions: ControllerActions;
  /** The framework of the current leadership term; undefined while not leading. */
  private fw: MesosFramework | undefined;
  /** What the view, actions and lifecycle use: the current framework, or an idle stand-in. */
  private readonly framework: Pick<MesosFramework, 'launch' | 'kill' | 'pending' | 'status' | 'capacity' | 'clusterFacts'> & { clusterView(): ClusterView | undefined } = {
    clusterView: () => this.fw?.clusterView?.(),
    launch: (r) => this.fw?.launch(r),
    kill: (t) => this.fw?.kill(t) ?? Promise.reject(new KairosError('E_UNAVAILABLE', 'not leading: no Mesos framework to kill through')),
    pending: () => this.fw?.pending() ?? [],
    capacity: async () => this.fw?.capacity?.(),
    clusterFacts: async () => this.fw?.clusterFacts?.(),
    status: () => this.fw?.status() ?? { connected: false, starving: false, offersReceived: 0, offersDeclined: 0, revives: 0, suppressed: false },
  };
  private readonly state: ControllerState;
  private readonly ledger: RunLedger;
  private readonly preemption: PreemptionLoop;
  private readonly dispatch: Dispatch;
  private loop: SyncLoop | undefined;
  private watcher: DirectoryWatch | undefined;
  private frameworkRun: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private leading = false;
  private closed = false;
  /** A follower's read view follows the store (src/controller/follower-reads.ts). */
  private readonly followerReads: FollowerReads;
  /** Retries the start of a term whose state could not be loaded (every {@link LEAD_RETRY_MS}). */
  private readonly leadRetry: RetryLoop;
  private readyNow: Promise<void> = Promise.resolve();
  private transition: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  private readonly notifier: Notifier | undefined;
  private readonly unschedulable: UnschedulableWatch;

  constructor(private readonly o: ControllerOptions) {
    this.log = o.logger;
    this.leadRetry = new RetryLoop(o.clock, { initialMs: LEAD_RETRY_MS, maxMs: LEAD_RETRY_MS }, alwaysGeneric);
    this.state = new ControllerState(o.store);
    this.notifier = o.notify && this.buildNotifier(o.notify);
    this.ledger = new RunLedger(o.store, (before, after) => this.notifier?.effects(before, after) ?? []);
    const lifecycle = new RunLifecycle({
      ledger: this.ledger,
      framework: this.framework,
      clock: o.clock,
      events: this.events,
      logger: o.logger.child({ component: 'runs' }),
      secrets: o.secrets,
      secretOverrides: o.secretOverrides,
    });
    this.dispatch = new Dispatch({
      lifecycle,
      ledger: this.ledger,
      clock: o.clock,
      logger: o.logger.child({ component: 'dispatch' }),
      applied: () => this.state.applied,
      effective: (a) => this.effective(a),
      afterRunsEnded: (jobs) => this.boundHistory(jobs),
      clusterView: () => this.framework.clusterView(),
      secretOverrides: o.secretOverrides,
      preemptAfterSeconds: o.preemptAfterSeconds,
    });
    this.preemption = new PreemptionLoop({ clock: o.clock, logger: o.logger, due: (now) => this.dispatch.preemptionDue(now), preempt: () => this.dispatch.post({ type: 'PreemptionDue' }) });
    this.followerReads = new FollowerReads({
      store: o.store,
      clock: o.clock,
      logger: this.log,
      reload: () => this.reload(),
      backstopMs: Math.max(o.pollMs, FOLLOWER_REFRESH_MS),
    });
    this.unschedulable = new UnschedulableWatch({ clock: o.clock, logger: o.logger.child({ component: 'unschedulable' }), ledger: this.ledger, framework: this.framework, events: this.events, applied: (n) => this.state.applied.get(n), graceMs: o.unschedulableAfterMs ?? DEFAULT_UNSCHEDULABLE_AFTER_MS });
    const passDeps = this.passDeps();
    this.view = new StateView({
      readView: () => ({ role: this.leading ? 'leader' : 'follower', ...this.followerReads.freshness() }),
      state: this.state,
      ledger: this.ledger,
      framework: this.framework,
      clock: o.clock,
      source: o.source.description,
      plan: () => planView(passDeps),
      facts: () => this.unschedulable.facts(),
    });
    this.actions = new ControllerActionsImpl({
      state: this.state,
      ledger: this.ledger,
      dispatch: this.dispatch,
      framework: this.framework,
      clock: o.clock,
      view: this.view,
      secretOverrides: o.secretOverrides,
    });
  }

  /** Loads the store for the read view, then follows leadership: works while leader, refreshes the view otherwise. */
  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe = this.o.leadership.onChange((s) => void this.follow(s.leader));
    await this.follow(this.o.leadership.isLeader());
    if (!this.leading) this.scheduleRefresh();
  }

  /** Stops taking new work, waits for what is in flight, leaves Mesos tasks running. */
  async stop(): Promise<void> {
    this.closed = true;
    this.followerReads.stop();
    this.leadRetry.cancel();
    this.unsubscribe?.();
    this.events.emit('stopping', { reason: 'stop' });
    await this.follow(false);
  }

  /**
   * Resolves when the current leadership term is under way: the first sync pass ended
   * (applied or failed) and the directory watcher (if any) reports changes. At once when
   * not leading. For tests and tools that must not race the start.
   */
  whenReady(): Promise<void> {
    return this.transition.then(() => this.readyNow);
  }

  /** Notifications waiting or failed in the store's outbox (empty without notifications). */
  notifications(): Promise<OutboxEntry[]> {
    return this.notifier?.list() ?? Promise.resolve([]);
  }

  /** Asks for a sync now (webhook, `POST /v1/sync`). Ignored when not leading. */
  triggerSync(reason: string): void {
    this.loop?.trigger(reason);
  }

  private follow(leader: boolean): Promise<void> {
    this.transition = this.transition.then(() => (leader ? this.lead() : this.idle())).catch((err) => {
      this.log.error('leadership transition failed', { error: messageOf(err) });
    });
    return this.transition;
  }

  private async lead(): Promise<void> {
    if (this.leading) return;
    this.leading = true;
    this.followerReads.stop();
    this.log.info('leading: loading state', { epoch: this.o.leadership.epoch() });
    try {
      await this.reload();
    } catch (err) {
      // Nothing was started yet: step back and try again, rather than hold leadership idle.
      this.leading = false;
      const retryInMs = this.leadRetry.failed(err)!;
      this.log.error('cannot load state to lead: retrying', { error: messageOf(err), retryInMs });
      this.leadRetry.arm(retryInMs, () => {
        if (this.closed) return;
        if (this.o.leadership.isLeader()) void this.follow(true);
        else this.scheduleRefresh();
      });
      return;
    }
    this.leadRetry.succeeded();
    this.dispatch.start();
    this.preemption.start();
    const fw = (this.fw = this.o.framework(this.dispatch.hooks));
    this.frameworkRun = fw.start({ force: true, knownTasks: knownTasks(this.ledger.active()) }).catch((err) => {
      this.log.error('mesos framework stopped', { error: messageOf(err) });
    });
    // A failure is logged by Dispatch, which reloads from the store and retries: the term goes on.
    await this.dispatch.post({ type: 'Loaded' }).catch(() => {});
    this.loop = new SyncLoop({
      clock: this.o.clock,
      pollMs: this.o.pollMs,
      backoff: this.o.syncBackoff,
      reconcile: (reason) => this.syncOnce(reason),
      onError: (err, retryInMs) => this.syncFailed(err, retryInMs),
    });
    if (this.o.watch) this.watcher = watchDirectory(this.o.watch.dir, this.o.clock, this.o.watch.debounceMs, () => this.triggerSync('watch'));
    const firstPass = Promise.race([this.events.next('sync:ok'), this.events.next('sync:error')]);
    this.readyNow = Promise.all([firstPass, this.watcher?.ready]).then(() => {});
    this.loop.trigger('start');
    this.notifier?.start();
    this.unschedulable.start();
    this.events.emit('leadership', { leading: true });
  }

  private async idle(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.log.info('not leading: stopping work');
    // Launching stops first (both take effect before their first await); syncing after.
    const halted = this.dispatch.stop();
    this.preemption.stop();
    const notifying = Promise.all([this.notifier?.stop(), this.unschedulable.stop()]);
    const fwStopped = this.fw?.stop();
    await this.watcher?.close();
    this.watcher = undefined;
    await this.loop?.stop();
    this.loop = undefined;
    await halted;
    await notifying;
    await fwStopped;
    await this.frameworkRun;
    this.fw = undefined;
    this.scheduleRefresh();
    this.events.emit('leadership', { leading: false });
  }

  private async reload(): Promise<void> {
    await this.state.load();
    await this.ledger.load();
  }

  /** A follower's read view (API, UI) follows the store's changes. */
  private scheduleRefresh(): void {
    if (this.closed || this.leading) return;
    this.followerReads.start();
  }

  private passDeps(): SyncPassDeps {
    const { store, source, clock, prune, allowMassPrune, allowRewind, clusters } = this.o;
    return { store, source, clock, prune, allowMassPrune, allowRewind, clusters, state: this.state };
  }

  private async syncOnce(reason: string): Promise<void> {
    this.events.emit('sync:start', { reason });
    this.state.syncing = true;
    let plan: Plan;
    try {
      plan = await syncPass(this.passDeps());
    } finally {
      this.state.syncing = false;
    }
    const byAction = (a: string) => plan.entries.filter((e) => e.action === a && e.willApply).map((e) => e.name);
    const changed = [...byAction('create'), ...byAction('update')];
    const pruned = byAction('prune');
    await this.dispatch.post({ type: 'Applied' });
    if (changed.length || pruned.length) this.log.info('applied', { revision: plan.revision, created: byAction('create'), updated: byAction('update'), pruned });
    this.events.emit('sync:ok', { revision: plan.revision, created: byAction('create'), updated: byAction('update'), pruned });
  }

  private syncFailed(err: unknown, retryInMs: number | undefined): void {
    const problems = err instanceof ManifestError ? err.problems : [];
    const code = err instanceof KairosError ? err.code : 'E_INTERNAL';
    const message = stripUrlCredentials(messageOf(err));
    this.log.error('sync failed: nothing applied', { code, error: problems.length ? `${problems.length} problem(s)` : message, retryInMs });
    for (const p of problems) this.log.error(`${p.file}:${p.line}:${p.column}: ${p.path ? p.path + ': ' : ''}${p.message}`);
    this.events.emit('sync:error', { revision: this.state.sync.lastRevision, code, message, problems, retryInMs });
  }

  /** The resource as the schedule core should see it: a paused job is treated as suspended. */
  private effective(a: AppliedResource): AppliedResource {
    if (!this.state.isPaused(a.resource.metadata.name) || a.resource.spec.suspend) return a;
    return { ...a, resource: { ...a.resource, spec: { ...a.resource.spec, suspend: true } } as AppliedResource['resource'] };
  }

  private buildNotifier(n: NonNullable<ControllerOptions['notify']>): Notifier {
    return new Notifier({
      ...n,
      store: this.o.store,
      clock: this.o.clock,
      logger: this.o.logger.child({ component: 'notify' }),
      rules: (job) => this.state.applied.get(job)?.resource.spec.notify,
      history: (job) => this.ledger.ofJob(job),
      beforeRound: () => this.flagSlaMisses(),
    });
  }

  /** Records `slaMissedAt` on runs past their SLA (that write raises `sla_missed`, once). */
  private async flagSlaMisses(): Promise<void> {
    const now = this.o.clock.now();
    for (const run of slaBreaches(this.ledger.all(), (job) => this.state.applied.get(job), now)) {
      const after = await this.ledger.update(run.id, (r) => (r.slaMissedAt === undefined ? { ...r, slaMissedAt: now } : undefined));
      if (after?.slaMissedAt === now) this.events.emit('run:sla_missed', { runId: run.id, job: run.job });
    }
  }

  /** Per-job limits for the jobs whose runs just ended; the global cap only once it is exceeded. */
  private async boundHistory(jobs: Set<string>): Promise<void> {
    const limits = (job: string) => this.state.applied.get(job)?.resource.spec.history;
    const over = [...jobs].flatMap((job) => overHistory(this.ledger.ofJob(job), limits, Infinity));
    await this.ledger.remove(over);
    if (this.ledger.size() > this.o.historyCap) await this.ledger.remove(overHistory(this.ledger.all(), limits, this.o.historyCap));
  }
}
