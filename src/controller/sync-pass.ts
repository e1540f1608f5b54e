/**
 * One sync pass: snapshot → load/validate → plan → apply → record (STYLE.md §3: the same
 * path serves `GET /v1/plan`, which stops before writing). A snapshot with any problem is
 * never applied: the last good revision stays applied and the problems (file:line:column,
 * field) are recorded in `meta/sync` for the API, the log and `kairos status`.
 */
import { KairosError, ManifestError, messageOf } from '../core/errors.js';
import type { DesiredState } from '../core/types.js';
import { stripUrlCredentials } from '../core/url-credentials.js';
import type { Clock } from '../ports/clock.js';
import type { PlanView } from '../ports/controller.js';
import type { ManifestSource, Snapshot } from '../ports/source.js';
import type { Store } from '../ports/store.js';
import { loadManifests } from '../manifests/load.js';
import { applyPlan, loadApplied } from '../plan/apply.js';
import { plan as makePlan } from '../plan/plan.js';
import type { AppliedState, Plan } from '../plan/types.js';
import { unknownClusters } from '../clusters/manifest-check.js';
import { outOfBandDrift } from './drift.js';
import { refuseRewind } from './rewind.js';
import type { ControllerState } from './state.js';

/** What a pass needs. */
export interface SyncPassDeps {
  source: ManifestSource;
  store: Store;
  state: ControllerState;
  clock: Clock;
  prune: boolean;
  allowMassPrune: boolean;
  /** Apply a head that does not descend from the applied commit (default: refuse, E_REWIND). */
  allowRewind?: boolean;
  /** The named Mesos clusters (`--cluster`): `spec.clusters` may name only these. Absent: not checked. */
  clusters?: readonly string[];
}

/** A plan computed from the source's head against the store. */
export interface ComputedPlan {
  desired: DesiredState;
  plan: Plan;
  snapshot: Snapshot;
  /** Each resource's YAML document as written, by name (stored beside it when applied); cut on first call. */
  documents: () => Map<string, string>;
  /** The applied state the plan was computed against. */
  applied: AppliedState;
}

/**
 * Reads the source and plans against the store, without writing. Throws ManifestError
 * (E_MANIFEST, terminal) for invalid manifests and E_SOURCE (retryable) when the source
 * cannot be read.
 */
export async function computePlan(d: SyncPassDeps): Promise<ComputedPlan> {
  let snapshot;
  try {
    snapshot = await d.source.snapshot();
  } catch (err) {
    if (err instanceof KairosError) throw err;
    throw new KairosError('E_SOURCE', `cannot read ${d.source.description}: ${messageOf(err)}`, { cause: err });
  }
  try {
    const { desired, problems, documents } = loadManifests(snapshot);
    if (!desired) throw new ManifestError(problems);
    const unknown = d.clusters ? unknownClusters(desired, snapshot.files, d.clusters) : [];
    if (unknown.length) throw new ManifestError(unknown);
    const applied = await loadApplied(d.store);
    await refuseRewind(d.source, snapshot, applied.revision, d.allowRewind === true);
    const plan = makePlan(desired, applied, { now: d.clock.now(), prune: d.prune, allowMassPrune: d.allowMassPrune });
    return { desired, plan, snapshot, documents, applied };
  } catch (err) {
    throw Object.assign(err as object, { revision: snapshot.revision });
  }
}

/** The revision a failed pass looked at, when it got as far as reading the source. */
export function revisionOf(err: unknown): string | undefined {
  return (err as { revision?: string } | undefined)?.revision;
}

/** Whether applying the plan would write anything besides the same revision. */
export function planChangesSomething(p: Plan): boolean {
  return p.summary.create + p.summary.update + p.summary.prune > 0 || p.revision !== p.appliedRevision;
}

/**
 * Plans and applies. On success records `ok` and returns the applied plan; on failure
 * records `failed` (keeping the applied revision) and rethrows for the sync loop to decide
 * whether to retry.
 */
export async function syncPass(d: SyncPassDeps): Promise<Plan> {
  const now = d.clock.now();
  const prev = d.state.sync;
  try {
    const { plan, documents, desired, applied: stored } = await computePlan(d);
    if (planChangesSomething(plan)) {
      await applyPlan(d.store, plan, now, documents());
      await d.state.reloadApplied();
    } else {
      // What the store holds, even if an earlier pass committed its apply and then failed.
      d.state.applied = new Map(stored.resources.map((a) => [a.resource.metadata.name, a]));
    }
    d.state.git = new Map(desired.resources.map((r) => [r.metadata.name, r]));
    d.state.outOfBand = plan.entries
      .filter((e) => e.action === 'prune' && !e.willApply)
      .map((e) => ({ job: e.name, field: 'exists', desired: false, live: true, since: now }));
    const applied = plan.revision !== prev.appliedRevision || prev.appliedAt === undefined;
    await d.state.recordSync({
      appliedRevision: plan.revision,
      appliedAt: applied ? now : prev.appliedAt,
      lastRevision: plan.revision,
      lastSyncAt: now,
      result: 'ok',
      problems: [],
    });
    return plan;
  } catch (err) {
    await d.state.recordSync({
      appliedRevision: prev.appliedRevision,
      appliedAt: prev.appliedAt,
      lastRevision: revisionOf(err) ?? prev.lastRevision,
      lastSyncAt: now,
      result: 'failed',
      message: err instanceof ManifestError ? `${err.problems.length} problem(s) in manifests` : stripUrlCredentials(messageOf(err)),
      problems: err instanceof ManifestError ? err.problems : [],
      failingSince: prev.result === 'failed' ? (prev.failingSince ?? now) : now,
    });
    await recheckOutOfBand(d, now);
    throw err;
  }
}

/**
 * While the head cannot be applied nothing reverts hand edits of the applied state, so
 * compare the store with what git declared at the applied revision. A store that cannot
 * be read keeps the last finding.
 */
async function recheckOutOfBand(d: SyncPassDeps, now: number): Promise<void> {
  if (d.state.git.size === 0) return;
  try {
    const { resources } = await loadApplied(d.store);
    d.state.outOfBand = outOfBandDrift(d.state.git, resources, now, d.state.outOfBand);
  } catch {
    // the sync failure already says what is wrong
  }
}

/** The API's view of a plan (`GET /v1/plan`), problems included instead of thrown. */
export async function planView(d: SyncPassDeps): Promise<PlanView> {
  const appliedRevision = d.state.sync.appliedRevision;
  try {
    const { plan } = await computePlan(d);
    const changes = plan.entries
      .filter((e) => e.action !== 'unchanged' && e.willApply)
      .map((e) => ({ action: e.action as 'create' | 'update' | 'prune', kind: e.kind, name: e.name, fields: e.changes.map((c) => c.path) }));
    const { create, update, prune, unchanged } = plan.summary;
    return { revision: plan.revision, appliedRevision, changes, summary: { create, update, prune, unchanged }, problems: [] };
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    const revision = revisionOf(err) ?? '';
    return { revision, appliedRevision, changes: [], summary: { create: 0, update: 0, prune: 0, unchanged: 0 }, problems: err.problems };
  }
}
