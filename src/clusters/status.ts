/**
 * The one ClusterStatus the controller, API and metrics read, made of every named
 * cluster's own (kept whole in `clusters`): connected while any cluster is, starving when
 * every connected one starves, counters summed. Pure.
 */
import type { ClusterStatus, NamedClusterStatus } from '../ports/mesos.js';

/** Joins the named clusters' states (see the file comment). */
export function combinedStatus(clusters: NamedClusterStatus[]): ClusterStatus {
  const up = clusters.filter((c) => c.connected);
  const starving = up.length > 0 && up.every((c) => c.starving);
  const since = starving ? Math.max(...up.map((c) => c.starvingSince ?? 0)) : undefined;
  const lastOffers = clusters.map((c) => c.lastOfferAt).filter((t): t is number => t !== undefined);
  const sum = (k: 'offersReceived' | 'offersDeclined' | 'revives') => clusters.reduce((n, c) => n + c[k], 0);
  return {
    connected: up.length > 0,
    ...(up.length > 0 && { master: up.map((c) => `${c.name}=${c.master ?? '?'}`).join(' ') }),
    starving,
    ...(since ? { starvingSince: since } : {}),
    ...(lastOffers.length > 0 && { lastOfferAt: Math.max(...lastOffers) }),
    offersReceived: sum('offersReceived'),
    offersDeclined: sum('offersDeclined'),
    revives: sum('revives'),
    suppressed: clusters.every((c) => c.suppressed),
    clusters,
  };
}
