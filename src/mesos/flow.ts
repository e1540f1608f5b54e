/**
 * The offer flow (mesos.apache.org/documentation/latest/app-framework-development-guide/, "Scheduler best practices"):
 * - demand appears → REVIVE (only when suppressed or after long declines: reviving too
 *   often resets the allocator's view); no demand → SUPPRESS;
 * - offers are gathered for a short batching window, matched (matcher.ts), and every
 *   one is answered in the same round, with one exception: offers left unused only
 *   because `maxStarting` tasks are still starting are held (`offerHoldMs`, 10 s; Aurora holds offers for minutes) and
 *   matched again once a quarter of the cap is free, rather than declined and offered
 *   again a second or two later (a 20,000-task burst would otherwise wait on the
 *   allocator between its slices);
 * - the launch intent is persisted (`hooks.persistLaunch`) BEFORE the ACCEPTs go out; one
 *   ACCEPT per offer with one LAUNCH of all tasks placed on it;
 * - offers that took nothing are declined: with a short filter while demand remains,
 *   with a long one when nothing is queued.
 */
import { messageOf } from '../core/errors.js';
import type { Clock, Timer } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, LaunchRequest, PlacedLaunch } from '../ports/mesos.js';
import type { Caller } from './caller.js';
import type { AgentLedger } from './agent-view.js';
import type { AgentFacts } from './constraints.js';
import type { FrameworkConfig } from './config.js';
import { isStateful } from './constraints.js';
import { matchOffers, type MatchOffer, type OfferLaunch } from './matcher.js';
import { OfferBook } from './offers.js';
import type { TaskBook } from './taskbook.js';
import { buildTaskInfo } from './tasks.js';
import type { Offer } from './types.js';
import type { Call } from './scheduler-types.js';

/**
 * What the flow needs from the framework around it. Calls go through `caller`, whose
 * decorators report them (framework events) and reconcile after a refused ACCEPT.
 */
export interface FlowDeps {
  clock: Clock;
  config: FrameworkConfig;
  log: Logger;
  tasks: TaskBook;
  caller: Caller;
  hooks: Pick<FrameworkHooks, 'persistLaunch'>;
  /** Told what offers held and where tasks were placed (for preemption's view of the agents). */
  agents?: AgentLedger;
}

/** Offer handling for one framework; lives across subscriptions. */
export class OfferFlow {
  private readonly book = new OfferBook();
  /** When each offer held past its round was first held (offerHoldMs). */
  private readonly heldSince = new Map<string, number>();
  private readonly agents = new Map<string, AgentFacts>();
  private timer: Timer | undefined;
  private matching = false;
  private suppressed = false;
  private longFilters = false;
  private stopped = false;
  private stats = { offersReceived: 0, offersDeclined: 0, revives: 0, lastOfferAt: undefined as number | undefined };

  constructor(private readonly d: FlowDeps) {}

  /** Counters for ClusterStatus. */
  counters(): { offersReceived: number; offersDeclined: number; revives: number; suppressed: boolean; lastOfferAt?: number } {
    const { lastOfferAt, ...rest } = this.stats;
    return { ...rest, suppressed: this.suppressed, ...(lastOfferAt !== undefined ? { lastOfferAt } : {}) };
  }

  /** A new subscription: the master dropped our offers; say whether we want more. */
  subscribed(): void {
    this.book.clear();
    this.heldSince.clear();
    this.suppressed = false;
    this.longFilters = false;
    this.syncDemand();
  }

  /** The stream is gone: offers held are void. */
  disconnected(): void {
    this.book.clear();
    this.heldSince.clear();
    this.timer?.cancel();
    this.timer = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.disconnected();
  }

  /** New tasks were queued. */
  demandAppeared(): void {
    if (this.suppressed || this.longFilters) void this.revive().catch((e) => this.d.log.warn('REVIVE failed', { error: messageOf(e) }));
    if (this.book.size > 0) this.schedule();
  }

  offers(offers: readonly Offer[]): void {
    const now = this.d.clock.now();
    const seen = offers.map((o) => this.book.add(o));
    for (const m of seen) this.agents.set(m.agentId, { hostname: m.hostname, attributes: m.attributes });
    this.d.agents?.offered(seen, now);
    this.stats.offersReceived += offers.length;
    this.stats.lastOfferAt = now;
    this.schedule();
  }

  rescind(offerId: string): void {
    this.book.rescind(offerId);
    this.heldSince.delete(offerId);
  }

  /**
   * Offers held while the starting cap is reached are matched again once this many tasks
   * may start: a round's worth or a quarter of the cap, so a few tasks turning RUNNING do
   * not spend an offer on a handful of tasks (its leftovers come back only after the
   * refuse filter).
   */
  private get rematchRoom(): number {
    const { maxTasksPerRound, maxStarting } = this.d.config;
    return Math.min(maxTasksPerRound, Math.ceil(maxStarting / 4));
  }

  /** Tasks wait and too few may start for a round worth an offer: offers are held, not matched (offerHoldMs). */
  private get throttled(): boolean {
    const { tasks, config } = this.d;
    return config.offerHoldMs > 0 && tasks.queued > 0 && config.maxStarting - tasks.starting < this.rematchRoom;
  }

  /** The unused offers to hold (the cap alone kept them unused, and not for too long yet); the rest are declined. */
  private holdOrDecline(unused: readonly MatchOffer[], now: number): MatchOffer[] {
    const { config } = this.d;
    const capped = this.throttled;
    const decline: MatchOffer[] = [];
    const hold: MatchOffer[] = [];
    for (const o of unused) {
      const since = this.heldSince.get(o.id) ?? now;
      if (capped && now - since < config.offerHoldMs) {
        this.heldSince.set(o.id, since);
        hold.push(o);
      } else {
        this.heldSince.delete(o.id);
        decline.push(o);
      }
    }
    if (hold.length > 0) this.book.keep(hold);
    return decline;
  }

  async revive(): Promise<void> {
    this.suppressed = false;
    this.longFilters = false;
    this.stats.revives++;
    await this.d.caller.call({ type: 'REVIVE', revive: { roles: this.d.config.roles } });
  }

  private async suppress(): Promise<void> {
    if (this.suppressed) return;
    this.suppressed = true;
    await this.d.caller.call({ type: 'SUPPRESS', suppress: { roles: this.d.config.roles } });
  }

  /** REVIVE if there is demand, SUPPRESS if not. */
  private syncDemand(): void {
    const p = this.d.tasks.queued > 0 ? this.revive() : this.suppress();
    p.catch((e) => this.d.log.warn('REVIVE/SUPPRESS failed', { error: messageOf(e) }));
  }

  private schedule(): void {
    if (this.timer || this.matching || this.stopped) return;
    this.timer = this.d.clock.setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, this.d.config.batchWindowMs);
  }

  /** One matching round over every held offer. */
  private async round(): Promise<void> {
    this.matching = true;
    try {
      const offers = this.book.takeAll();
      if (offers.length === 0) return;
      const { tasks, config } = this.d;
      if (tasks.queued === 0) {
        for (const o of offers) this.heldSince.delete(o.id);
        await this.decline(offers, config.declineLongSeconds);
        await this.suppress();
        return;
      }
      const now = this.d.clock.now();
      if (this.throttled) {
        // Hold the offers (declining those held too long) until a round is worth one.
        await this.decline(this.holdOrDecline(offers, now), config.declineShortSeconds);
        return;
      }
      const { launches, unused, placing } = this.place(offers);
      const placed: PlacedLaunch[] = launches.flatMap((l) => l.tasks.map((t) => ({ request: t.demand.payload, agentId: l.offer.agentId, hostname: l.offer.hostname })));
      const refuse = tasks.queued > 0 ? config.declineShortSeconds : config.declineLongSeconds;
      if (placed.length > 0) {
        try {
          await this.d.hooks.persistLaunch(placed);
        } catch (err) {
          this.d.log.warn('persistLaunch refused; declining the offers', { tasks: placed.length, error: messageOf(err) });
          tasks.abortPlacing(placing, `launch intent not persisted: ${messageOf(err)}`);
          for (const o of offers) this.heldSince.delete(o.id);
          await this.decline(offers, config.declineShortSeconds);
          return;
        }
        tasks.commitPlacing(placed);
        this.d.agents?.launched(placed.map((p) => p.agentId));
      }
      for (const l of launches) this.heldSince.delete(l.offer.id);
      const declined = this.holdOrDecline(unused, now);
      await Promise.all([...launches.map((l) => this.accept(l.offer, l.tasks, refuse)), this.decline(declined, refuse)]);
      if (tasks.queued === 0) await this.suppress();
    } catch (err) {
      this.d.log.warn('offer round failed', { error: messageOf(err) });
    } finally {
      this.matching = false;
      // Held offers are looked at again each batching window (cheap: nothing is matched until the cap frees up or the hold ends).
      if (this.book.size > 0) this.schedule();
    }
  }

  /**
   * Matches the queue against `offers` in passes of at most `maxTasksPerRound` tasks, each
   * pass on the offers the previous left unused, until the queue or the offers run out or a
   * pass places nothing. Placed tasks leave the queue (placing) before `persistLaunch`.
   */
  private place(offers: MatchOffer[]): { launches: OfferLaunch<LaunchRequest>[]; unused: MatchOffer[]; placing: ReturnType<TaskBook['beginPlacing']> } {
    const { tasks, config } = this.d;
    const launches: OfferLaunch<LaunchRequest>[] = [];
    const placing: ReturnType<TaskBook['beginPlacing']> = [];
    let running: Map<string, AgentFacts[]> | undefined;
    let unused = offers;
    while (unused.length > 0 && tasks.queued > 0) {
      const room = config.maxStarting - tasks.starting - placing.length;
      if (room <= 0) break;
      const demands = tasks.demands(Math.min(config.maxTasksPerRound, room));
      if (!running) {
        const jobs = new Set(demands.filter((x) => x.constraints.some(isStateful)).map((x) => x.group));
        running = new Map([...tasks.placements(jobs, (id) => this.agents.get(id))].map(([k, v]) => [k, [...v]]));
      }
      const result = matchOffers(demands, unused, running);
      for (const u of result.unplaced) tasks.setReason(u.demand.id, u.reason);
      if (result.launches.length === 0) break;
      for (const l of result.launches) {
        launches.push(l);
        for (const t of l.tasks) running.get(t.demand.group)?.push(l.offer);
      }
      placing.push(...tasks.beginPlacing(result.launches.flatMap((l) => l.tasks.map((t) => t.demand.id))));
      unused = result.unused;
    }
    return { launches, unused, placing };
  }

  private async accept(offer: MatchOffer, placed: OfferLaunch<LaunchRequest>['tasks'], refuse: number): Promise<void> {
    try {
      // The TaskInfos live only until encoded (the call is written at once), not until the master answers.
      await this.d.caller.call(this.acceptCall(offer, placed, refuse));
    } catch (err) {
      this.d.log.warn('ACCEPT failed; reconciling to learn the tasks fate', { offerId: offer.id, tasks: placed.length, error: messageOf(err) });
    }
  }

  private acceptCall(offer: MatchOffer, placed: OfferLaunch<LaunchRequest>['tasks'], refuse: number): Call {
    const task_infos = placed.map((t) => buildTaskInfo(t.demand.payload, offer.agentId, t.resources, this.d.config.containerizer));
    return { type: 'ACCEPT', accept: { offer_ids: [{ value: offer.id }], operations: [{ type: 'LAUNCH', launch: { task_infos } }], filters: { refuse_seconds: refuse } } };
  }

  private async decline(offers: readonly MatchOffer[], refuseSeconds: number): Promise<void> {
    if (offers.length === 0) return;
    if (refuseSeconds >= this.d.config.declineLongSeconds) this.longFilters = true;
    this.stats.offersDeclined += offers.length;
    try {
      await this.d.caller.call({ type: 'DECLINE', decline: { offer_ids: offers.map((o) => ({ value: o.id })), filters: { refuse_seconds: refuseSeconds } } });
    } catch (err) {
      this.d.log.warn('DECLINE failed', { count: offers.length, error: messageOf(err) });
    }
  }
}
