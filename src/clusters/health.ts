/**
 * Each cluster's health as placement needs it (placement.ts ClusterState): connected and
 * starving come from the cluster's framework as they are now; since when a cluster is
 * disconnected is followed here, because the framework only knows that it is.
 */
import type { ClusterStatus } from '../ports/mesos.js';
import type { ClusterState } from './placement.js';

/** Disconnection times per cluster, and the facts placement reads (see the file comment). */
export class ClusterHealth {
  private readonly downSince = new Map<string, number>();

  constructor(private readonly status: (cluster: string) => ClusterStatus | undefined) {}

  /** Every cluster counts as disconnected from `now` until it first reports connected. */
  start(clusters: readonly string[], now: number): void {
    for (const c of clusters) if (!this.downSince.has(c)) this.downSince.set(c, now);
  }

  /** Looks at every cluster's status now (the router's periodic check). */
  observe(clusters: readonly string[], now: number): void {
    for (const c of clusters) {
      const s = this.status(c);
      if (s?.connected) this.downSince.delete(c);
      else if (!this.downSince.has(c)) this.downSince.set(c, now);
    }
  }

  /** What placement knows of `cluster` now. */
  facts(cluster: string): ClusterState {
    const s = this.status(cluster);
    if (!s?.connected) return { connected: false, starving: false, disconnectedSince: this.downSince.get(cluster) };
    return { connected: true, starving: s.starving, starvingSince: s.starvingSince, lastOfferAt: s.lastOfferAt };
  }
}
