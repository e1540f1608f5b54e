/**
 * The GitOps controller: converges Mesos to the repository. It joins the sync loop
 * (source → plan → apply, ./sync-loop.ts, ./sync-pass.ts), the schedule core
 * (src/schedule/scheduler.ts, owned by ./dispatch.ts, whose hooks the framework calls) and
 * the run lifecycle (./runs.ts), and implements the API's ports (./view.ts, ./actions.ts).
 *
 * Only the leader works. On winning leadership it reloads everything from the store, seeds
 * the framework with the tasks it knows (reconciliation adopts what still runs), re-queues
 * attempts that were written but never placed, and starts syncing; on losing it stops at
 * once. Adapters (store, source, framework, clock) come in through `ControllerOptions`;
 * src/wiring.ts builds the real ones.
 */
import { messageOf } from '../core/errors.js';
import { alwaysGeneric, RetryLoop } from '../core/retry.js';
import type { AppliedResource } from '../core/types.js';
import type { ControllerActions, ControllerView } from '../ports/controller.js';
import type { Logger } from '../ports/logger.js';
import type { Plan } from '../plan/types.js';
import type { OutboxEntry } from '../notify/events.js';
import type { Notifier } from '../notify/notifier.js';
import { DEFAULT_UNSCHEDULABLE_AFTER_MS } from '../schedule/unschedulable.js';
import { ControllerActionsImpl } from './actions.js';
import { Dispatch, knownTasks } from './dispatch.js';
import { PreemptionLoop } from './preemption.js';
import { ControllerEmitter } from './events.js';
import { LeaderTerm, officeFramework } from './leader-term.js';
import { reportSynced, reportSyncFailed } from './sync-report.js';
import { boundHistory, buildNotifier, type UpkeepDeps } from './upkeep.js';
import { RunLedger } from './run-ledger.js';
import { RunLifecycle } from './runs.js';
import { ControllerState } from './state.js';
import { FollowerReads } from './follower-reads.js';
import { planView, syncPass, type SyncPassDeps } from './sync-pass.js';
import { UnschedulableWatch } from './unschedulable-watch.js';
import { StateView } from './view.js';
import type { ControllerOptions } from './options.js';

export type { ControllerOptions } from './options.js';

/** How often a follower re-reads the store for its read view without a change notification (at least; the poll interval if longer). */
export const FOLLOWER_REFRESH_MS = 5000;

/** How long after a failed start of a leadership term (the store could not be read) it is tried again. */
export const LEAD_RETRY_MS = 1000;

/** A running controller. */
export class Controller {
  readonly events = new ControllerEmitter();
  readonly view: ControllerView;
  readonly actions: ControllerActions;
  /** The leadership term in office (src/controller/leader-term.ts); undefined while not leading. */
  private term: LeaderTerm | undefined;
  /** The term's framework as the view, actions and lifecycle see it across terms. */
  private readonly framework = officeFramework(() => this.term);
  private readonly state: ControllerState;
  private readonly ledger: RunLedger;
  private readonly preemption: PreemptionLoop;
  /** The one owner of run state: the schedule core behind its inbox (./dispatch.ts, ./inbox.ts). */
  private readonly dispatch: Dispatch;
  private unsubscribe: (() => void) | undefined;
  private leading = false;
  private closed = false;
  /** A follower's read view follows the store (src/controller/follower-reads.ts). */
  private readonly followerReads: FollowerReads;
  /** Retries the start of a term whose state could not be loaded (every {@link LEAD_RETRY_MS}). */
  private readonly leadRetry: RetryLoop;
  private transition: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  private readonly notifier: Notifier | undefined;
  private readonly unschedulable: UnschedulableWatch;

  constructor(private readonly o: ControllerOptions) {
    this.log = o.logger;
    this.leadRetry = new RetryLoop(o.clock, { initialMs: LEAD_RETRY_MS, maxMs: LEAD_RETRY_MS }, alwaysGeneric);
    this.state = new ControllerState(o.store);
    this.ledger = new RunLedger(o.store, (before, after) => this.notifier?.effects(before, after) ?? []);
    const upkeep: UpkeepDeps = { state: this.state, ledger: this.ledger, clock: o.clock, events: this.events, historyCap: o.historyCap };
    this.notifier = o.notify && buildNotifier({ ...upkeep, store: o.store, logger: o.logger }, o.notify);
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
      afterRunsEnded: (jobs) => boundHistory(upkeep, jobs),
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
    this.unschedulable = new UnschedulableWatch({ clock: o.clock, logger: o.logger.child({ component: 'unschedulable' }), ledger: this.ledger, framework: this.framework, judged: (changes) => this.dispatch.post({ type: 'UnschedulableJudged', changes }), applied: (n) => this.state.applied.get(n), graceMs: o.unschedulableAfterMs ?? DEFAULT_UNSCHEDULABLE_AFTER_MS });
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
    return this.transition.then(() => this.term?.ready);
  }

  /** Notifications waiting or failed in the store's outbox (empty without notifications). */
  notifications(): Promise<OutboxEntry[]> {
    return this.notifier?.list() ?? Promise.resolve([]);
  }

  /** Asks for a sync now (webhook, `POST /v1/sync`). Ignored when not leading. */
  triggerSync(reason: string): void {
    this.term?.trigger(reason);
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
    this.term = new LeaderTerm({
      clock: this.o.clock,
      logger: this.log,
      events: this.events,
      framework: this.o.framework(this.dispatch.hooks),
      knownTasks: knownTasks(this.ledger.active()),
      first: [this.dispatch, this.preemption],
      load: () => this.dispatch.post({ type: 'Loaded' }),
      last: [...(this.notifier ? [this.notifier] : []), this.unschedulable],
      sync: { pollMs: this.o.pollMs, backoff: this.o.syncBackoff, reconcile: (reason) => this.syncOnce(reason), onError: (err, retryInMs) => reportSyncFailed(err, retryInMs, this.state.sync.lastRevision, this.log, this.events) },
      watch: this.o.watch,
    });
    await this.term.start();
    this.events.emit('leadership', { leading: true });
  }

  private async idle(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    this.log.info('not leading: stopping work');
    // Launching stops first (it takes effect before the first await); syncing after.
    await this.term?.stop();
    this.term = undefined;
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
    await this.dispatch.post({ type: 'Applied' });
    reportSynced(plan, this.log, this.events);
  }

  /** The resource as the schedule core should see it: a paused job is treated as suspended. */
  private effective(a: AppliedResource): AppliedResource {
    if (!this.state.isPaused(a.resource.metadata.name) || a.resource.spec.suspend) return a;
    return { ...a, resource: { ...a.resource, spec: { ...a.resource.spec, suspend: true } } as AppliedResource['resource'] };
  }
}
