/**
 * The notification outbox and its delivery loop.
 *
 * Writing: `effects(before, after)` is called by the run ledger (src/controller/run-ledger.ts)
 * for every run write and returns the `outbox/<id>` puts that go into the SAME store commit
 * as the run. A notification therefore exists exactly when the run state that caused it was
 * committed: a leader dying before the commit loses both (the next leader recomputes the
 * run and raises the event then), one dying after it leaves the entry for the next leader.
 * The outbox is bounded (`maxOutbox`): beyond it new notifications are dropped and counted.
 *
 * Delivering: on the leader only, every `intervalMs` (Clock port), each due entry is sent to
 * its targets not yet served; an entry is deleted once all got it, otherwise retried with
 * exponential backoff and marked `failed` after `maxAttempts` (kept, at most FAILED_KEPT,
 * for the API). Writes compare-and-set the version read, so a deposed leader's round is
 * refused. Delivery is at least once: a leader dying between sending and deleting sends
 * again after the change, with the same id in `X-Kairos-Delivery` for receivers to dedupe.
 */
import { messageOf } from '../core/errors.js';
import { backoffDelay } from '../core/retry.js';
import type { Run } from '../core/run.js';
import type { NotifyRule } from '../core/types.js';
import { Periodic } from '../core/periodic.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store, StoreOp } from '../ports/store.js';
import type { NotifyConfig } from './config.js';
import { entryFor, previousOutcome, runEvents, targetKind, type OutboxEntry } from './events.js';
import type { Sender } from './send.js';
import { StoreLayout, type Collection } from '../store/layout.js';

/** Failed notifications kept for the API; older ones are deleted. */
export const FAILED_KEPT = 100;

/** Backoff between delivery rounds of one notification: 2 s doubling to 5 min (the one policy, src/core/retry.ts). */
export function deliveryBackoffMs(attempts: number): number {
  return backoffDelay({ initialMs: 2000, maxMs: 300_000 }, Math.max(0, attempts - 1));
}

/** What the notifier reports to metrics. */
export interface NotifyMetricsSink {
  recordDelivery(target: string, event: string, ok: boolean): void;
  recordDropped(): void;
  observeOutbox(pending: number, failed: number): void;
}

/** What the notifier is built from. */
export interface NotifierDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  config: NotifyConfig;
  sender: Pick<Sender, 'send'>;
  /** The job's own `spec.notify` (undefined: none, or the job is gone). */
  rules(job: string): NotifyRule[] | undefined;
  /** The job's runs, newest first (for `recovered`). */
  history(job: string): Run[];
  /** Called at the start of each round on the leader (the SLA check). */
  beforeRound?(): Promise<void>;
  metrics?: NotifyMetricsSink;
  /** Delivery round interval; default 1000 ms. */
  intervalMs?: number;
}

/** Outbox writer (for the ledger) and delivery loop (for the leader). */
export class Notifier {
  /** Entries in the outbox as of the last round plus those written since. */
  private size = 0;
  private readonly loop: Periodic;
  /** `outbox/<id>` (src/store/layout.ts). */
  private readonly outbox: Collection<OutboxEntry>;

  constructor(private readonly deps: NotifierDeps) {
    this.outbox = new StoreLayout(deps.store).outbox;
    this.loop = new Periodic({
      clock: deps.clock,
      intervalMs: deps.intervalMs ?? 1000,
      round: () => this.deliverDue(),
      onError: (err) => deps.logger.warn('notification round failed', { error: messageOf(err) }),
    });
  }

  /** The outbox puts a run write from `before` to `after` must commit with it. */
  effects(before: Run | undefined, after: Run): StoreOp[] {
    const events = runEvents(before, after, after.state === 'succeeded' && before?.state !== 'succeeded' ? previousOutcome(this.deps.history(after.job), after) : undefined);
    if (events.length === 0) return [];
    const rules = [...(this.deps.rules(after.job) ?? []), ...this.deps.config.defaults];
    const ops: StoreOp[] = [];
    for (const event of events) {
      const entry = entryFor(event, after, rules, this.deps.clock.now());
      if (!entry) continue;
      if (this.size >= this.deps.config.maxOutbox) {
        this.deps.metrics?.recordDropped();
        this.deps.logger.warn('notification outbox full: notification dropped', { run: after.id, event, max: this.deps.config.maxOutbox });
        continue;
      }
      this.size++;
      ops.push(this.outbox.putOp(entry.id, entry));
    }
    return ops;
  }

  /** Every notification waiting or failed, oldest first (reads the store: fresh on followers too). */
  async list(): Promise<OutboxEntry[]> {
    const ids = await this.outbox.ids();
    const got = await Promise.all(ids.map((id) => this.outbox.get(id)));
    return got.flatMap((g) => (g ? [g.value] : [])).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  }

  /** Starts delivery rounds (on gaining leadership). */
  start(): void {
    this.loop.start();
  }

  /** Stops delivery; resolves when a round in flight ended. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One delivery round: every due entry once. Exposed for tests. */
  async deliverDue(): Promise<void> {
    await this.deps.beforeRound?.().catch((err) => this.deps.logger.warn('SLA check failed', { error: messageOf(err) }));
    const { store, clock } = this.deps;
    const ids = await this.outbox.ids();
    this.size = ids.length;
    const failed: OutboxEntry[] = [];
    let pending = 0;
    for (const id of ids) {
      const got = await this.outbox.get(id);
      if (!got) continue;
      if (got.value.status === 'failed') failed.push(got.value);
      else if (got.value.nextAt > clock.now()) pending++;
      else if ((await this.deliver(got.value, got.version).catch((err) => this.lostRace(id, err))) === 'pending') pending++;
    }
    const old = failed.sort((a, b) => a.at - b.at).slice(0, Math.max(0, failed.length - FAILED_KEPT));
    if (old.length) await store.commit(old.map((e) => this.outbox.deleteOp(e.id)));
    this.deps.metrics?.observeOutbox(pending, failed.length - old.length);
  }

  private async deliver(e: OutboxEntry, version: number): Promise<'done' | 'pending' | 'failed'> {
    const errors: string[] = [];
    for (const t of e.targets) {
      if (t.delivered) continue;
      const kind = targetKind(t.target);
      try {
        await this.deps.sender.send(e, t.target);
        t.delivered = true;
        this.deps.metrics?.recordDelivery(kind, e.event, true);
      } catch (err) {
        errors.push(`${kind}: ${messageOf(err)}`);
        this.deps.metrics?.recordDelivery(kind, e.event, false);
      }
    }
    if (errors.length === 0) {
      await this.outbox.delete(e.id, version);
      return 'done';
    }
    e.attempts++;
    e.lastError = errors.join('; ');
    if (e.attempts >= this.deps.config.maxAttempts) e.status = 'failed';
    else e.nextAt = this.deps.clock.now() + deliveryBackoffMs(e.attempts);
    this.deps.logger.warn(e.status === 'failed' ? 'notification failed: giving up' : 'notification failed: will retry', { id: e.id, attempts: e.attempts, error: e.lastError });
    await this.outbox.put(e.id, e, version);
    return e.status;
  }

  /** A write of a delivery round failed (another leader got there first, or the store is down): the next round reads again. */
  private lostRace(id: string, err: unknown): 'pending' {
    this.deps.logger.warn('notification round could not record a delivery', { id, error: messageOf(err) });
    return 'pending';
  }
}
