/**
 * Per-cluster series (label `cluster`) with several Mesos clusters (`--cluster`), pulled
 * at scrape time from `ClusterStatus.clusters` like the unlabelled ones in metrics.ts
 * (which keep summing every cluster): connected, starvation, runs waiting on it, offers,
 * declines and revives. Series of a cluster no longer reported are removed.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ClusterStatus, PendingInfo } from '../ports/mesos.js';

/** Increment since the last cumulative value; a smaller value means the source restarted from 0. */
export const delta = (last: number, now: number): number => (now >= last ? now - last : now);

/** The per-cluster metrics (see the file comment). */
export class ClusterMetrics {
  private readonly connected: Gauge;
  private readonly starving: Gauge;
  private readonly pending: Gauge;
  private readonly offers: Counter;
  private readonly declined: Counter;
  private readonly revives: Counter;
  private seen = new Map<string, { offers: number; declined: number; revives: number }>();

  constructor(registry: Registry) {
    const labelNames = ['cluster'];
    const registers = [registry];
    this.connected = new Gauge({ name: 'kairos_cluster_connected', help: '1 when subscribed to the cluster\'s Mesos master', labelNames, registers });
    this.starving = new Gauge({ name: 'kairos_cluster_starvation_seconds', help: 'Seconds queued tasks have waited for an offer of the cluster, once declared starving (0 when not)', labelNames, registers });
    this.pending = new Gauge({ name: 'kairos_cluster_pending_tasks', help: 'Tasks waiting on the cluster for a fitting offer', labelNames, registers });
    this.offers = new Counter({ name: 'kairos_cluster_offers_received_total', help: 'Offers received from the cluster', labelNames, registers });
    this.declined = new Counter({ name: 'kairos_cluster_offers_declined_total', help: 'Offers of the cluster declined', labelNames, registers });
    this.revives = new Counter({ name: 'kairos_cluster_revives_total', help: 'REVIVE calls sent to the cluster', labelNames, registers });
  }

  /** Every named cluster's state at scrape time; `now` in epoch ms. */
  observe(c: ClusterStatus & { pending?: PendingInfo[] }, now: number): void {
    const names = new Set((c.clusters ?? []).map((k) => k.name));
    for (const name of [...this.seen.keys()].filter((n) => !names.has(n))) this.forget(name);
    for (const k of c.clusters ?? []) {
      const cluster = k.name;
      const last = this.seen.get(cluster) ?? { offers: 0, declined: 0, revives: 0 };
      this.offers.inc({ cluster }, delta(last.offers, k.offersReceived));
      this.declined.inc({ cluster }, delta(last.declined, k.offersDeclined));
      this.revives.inc({ cluster }, delta(last.revives, k.revives));
      this.seen.set(cluster, { offers: k.offersReceived, declined: k.offersDeclined, revives: k.revives });
      this.connected.set({ cluster }, k.connected ? 1 : 0);
      const since = k.starvingSince ?? k.lastOfferAt;
      this.starving.set({ cluster }, k.starving && since !== undefined ? Math.max(0, now - since) / 1000 : 0);
      this.pending.set({ cluster }, c.pending?.filter((p) => p.cluster === cluster).length ?? 0);
    }
  }

  private forget(cluster: string): void {
    for (const m of [this.connected, this.starving, this.pending, this.offers, this.declined, this.revives]) m.remove({ cluster });
    this.seen.delete(cluster);
  }
}
