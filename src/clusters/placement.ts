/**
 * Which cluster a run goes to, and when a run still waiting for an offer moves on (pure:
 * time comes in as `now`, so it is tested with the fake clock). A run goes to the first
 * cluster of its preference (the job's `spec.clusters`, else every cluster in `--cluster`
 * order) that is connected, not starving, and has (or had recently) an offer its task
 * fits; when none has such an offer yet, to the first that is connected and not starving;
 * when none is, it waits on its first preference. A run waiting on a cluster moves to the
 * next good one when that cluster has been disconnected or starving for `moveAfterMs`, or
 * when the run has waited that long there without a fitting offer (or without any offer
 * since it came) while another cluster has a fitting one.
 */

/** What placement knows of one cluster at `now`. */
export interface ClusterState {
  connected: boolean;
  starving: boolean;
  /** Epoch ms since which the cluster is disconnected (or was never connected). */
  disconnectedSince?: number;
  /** Epoch ms since which the cluster starves (tasks wait, no offer comes). */
  starvingSince?: number;
  /** Epoch ms of its last offer. */
  lastOfferAt?: number;
}

/** Whether a cluster's recent offers show room for the task: `fits`, `too-small` (offers came, none fit), `no-offers`. */
export type Fit = 'fits' | 'too-small' | 'no-offers';

/** The verdict on one cluster of the preference, for explain and the API. */
export interface ClusterVerdict {
  cluster: string;
  /** True when the run may go there now (connected, not starving, configured). */
  eligible: boolean;
  why: string;
}

/** A placement: the cluster chosen (undefined when no preferred cluster is configured) and why, per cluster. */
export interface Placement {
  cluster?: string;
  verdicts: ClusterVerdict[];
}

/** What `choose` needs to look at. */
export interface PlacementInput {
  /** The job's `spec.clusters` in order, or undefined for every configured cluster. */
  preference?: readonly string[];
  /** Configured clusters in `--cluster` order. */
  configured: readonly string[];
  facts(cluster: string): ClusterState;
  fit(cluster: string): Fit;
  /** Clusters not to choose (the one a run moves away from). */
  exclude?: ReadonlySet<string>;
}

/** Picks the cluster for a run (see the file comment). */
export function choose(i: PlacementInput): Placement {
  const order = i.preference?.length ? i.preference : i.configured;
  const verdicts = order.map((c) => verdict(i, c));
  const open = verdicts.filter((v) => v.eligible && !i.exclude?.has(v.cluster));
  const fitting = open.find((v) => i.fit(v.cluster) === 'fits');
  const known = verdicts.filter((v) => i.configured.includes(v.cluster) && !i.exclude?.has(v.cluster));
  const cluster = (fitting ?? open[0] ?? known[0])?.cluster;
  return { ...(cluster !== undefined && { cluster }), verdicts };
}

function verdict(i: PlacementInput, cluster: string): ClusterVerdict {
  if (!i.configured.includes(cluster)) return { cluster, eligible: false, why: `not configured (kairos serve --cluster names: ${i.configured.join(', ')})` };
  const f = i.facts(cluster);
  if (!f.connected) return { cluster, eligible: false, why: 'not subscribed to its Mesos master' };
  if (f.starving) return { cluster, eligible: false, why: 'starving: tasks wait and no offers come' };
  const fit = i.fit(cluster);
  const why = fit === 'fits' ? 'connected; a recent offer fits' : fit === 'too-small' ? 'connected; no recent offer is large enough' : 'connected; no offer seen yet';
  return { cluster, eligible: true, why };
}

/** A run waiting on `current` since `queuedAt`, with the same inputs as `choose`. */
export interface MoveInput extends PlacementInput {
  current: string;
  queuedAt: number;
  now: number;
  moveAfterMs: number;
}

/**
 * Where a waiting run should move now, or undefined to stay: its cluster has been down or
 * starving for `moveAfterMs`, or the run waited that long without a fitting offer there
 * while another eligible cluster has one. It only moves to an eligible cluster.
 */
export function moveTarget(m: MoveInput): { cluster: string; reason: string } | undefined {
  const f = m.facts(m.current);
  const long = (since: number | undefined) => since !== undefined && m.now - since >= m.moveAfterMs;
  const waited = m.now - m.queuedAt >= m.moveAfterMs;
  let reason: string | undefined;
  if (!f.connected && long(f.disconnectedSince ?? m.queuedAt)) reason = `${m.current} disconnected for ${secs(m.now - (f.disconnectedSince ?? m.queuedAt))}`;
  else if (f.starving && long(f.starvingSince ?? m.queuedAt)) reason = `${m.current} starving for ${secs(m.now - (f.starvingSince ?? m.queuedAt))}`;
  else if (f.connected && !f.starving && waited && (m.fit(m.current) !== 'fits' || (f.lastOfferAt ?? -Infinity) < m.queuedAt)) reason = `no fitting offer from ${m.current} in ${secs(m.now - m.queuedAt)}`;
  if (!reason) return undefined;
  const next = choose({ ...m, exclude: new Set([m.current]) });
  const target = next.verdicts.find((v) => v.cluster === next.cluster);
  if (!target?.eligible) return undefined;
  // Without an unhealthy cluster, only a cluster with a fitting offer is worth the move.
  if (f.connected && !f.starving && m.fit(target.cluster) !== 'fits') return undefined;
  return { cluster: target.cluster, reason };
}

function secs(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}
