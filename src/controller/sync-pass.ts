/**
 * One sync pass: snapshot → load/validate → plan → apply → record (gitops-engine `sync` as the model: the same
 * path serves `GET /v1/plan`, which stops before writing). A snapshot with any problem is
 * never applied: the last good revision stays applied and the problems (file:line:column,
 * field) are recorded in `meta/sync` for the API, the log and `kairos status`.
 */
import { KairosError, ManifestError, messageOf } from '../core/errors.js';
import type { AppliedResource, DesiredState, Resource } from '../core/types.js';
import { stripUrlCredentials } from '../core/url-credentials.js';
import type { Clock } from '../ports/clock.js';
import type { DriftItem, PlanView } from '../ports/controller.js';
import type { ManifestSource, Snapshot } from '../ports/source.js';
import type { Store } from '../ports/store.js';
import { loadManifests } from '../manifests/load.js';
import { appliedAfter, applyPlan, loadApplied } from '../plan/apply.js';
import { plan as makePlan } from '../plan/plan.js';
import type { AppliedState, Plan } from '../plan/types.js';
import { unknownClusters } from '../clusters/manifest-check.js';
import { outOfBandDrift } from './drift.js';
import { refuseRewind } from './rewind.js';
import { StoreLayout } from '../store/layout.js';
import { byName, type AppliedByName, type ControllerState, type SyncOutcome, type SyncRecord } from './state.js';

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
 * Plans and applies, takes the pass's outcome into the controller's state (one assignment,
 * `ControllerState.settle`), then records it as `meta/sync`. Returns the applied plan; a
 * failed pass rethrows its error for the sync loop to decide whether to retry.
 */
export async function syncPass(d: SyncPassDeps): Promise<Plan> {
  const now = d.clock.now();
  const prev = d.state.sync;
  const outcome = await passOutcome(d, now, prev);
  d.state.settle(outcome);
  const sync = new StoreLayout(d.store).sync;
  try {
    await sync.put(outcome.record);
  } catch (err) {
    if (outcome.result === 'failed') throw err;
    // Applied, but the outcome could not be recorded: the pass failed, as a later pass will say.
    const failed = await failure(d, err, now, prev, outcome);
    d.state.settle(failed);
    await sync.put(failed.record);
    throw err;
  }
  if (outcome.result === 'failed') throw outcome.error;
  return outcome.plan;
}

/** What a pass learned before it ended: the applied state (as read, then as committed) and git's resources. */
type Known = { applied: AppliedByName; git?: ReadonlyMap<string, Resource> };

/**
 * One pass as a value, without writing `meta/sync`: on success the `ok` record and the
 * applied state as committed (what it read plus what it wrote: nothing is read back); on
 * failure the `failed` record (keeping the applied revision), the error and the drift it
 * could see.
 */
export async function passOutcome(d: SyncPassDeps, now: number, prev: SyncRecord): Promise<SyncOutcome> {
  let known: Known | undefined;
  try {
    const { plan, documents, desired, applied: stored } = await computePlan(d);
    known = { applied: byName(stored.resources) };
    if (planChangesSomething(plan)) {
      const wrote = await applyPlan(d.store, plan, now, documents());
      known.applied = byName(appliedAfter(stored.resources, wrote));
    }
    const git = (known.git = new Map(desired.resources.map((r) => [r.metadata.name, r])));
    const outOfBand = plan.entries
      .filter((e) => e.action === 'prune' && !e.willApply)
      .map((e) => ({ job: e.name, field: 'exists', desired: false, live: true, since: now }));
    const applied = plan.revision !== prev.appliedRevision || prev.appliedAt === undefined;
    const record: SyncRecord = { appliedRevision: plan.revision, appliedAt: applied ? now : prev.appliedAt, lastRevision: plan.revision, lastSyncAt: now, result: 'ok', problems: [] };
    // The applied state is what the store holds, even if an earlier pass committed its apply and then failed.
    return { result: 'ok', plan, record, applied: known.applied, git, outOfBand };
  } catch (err) {
    return failure(d, err, now, prev, known);
  }
}

/** The outcome of a pass that failed with `err`, after learning `known` (if it got that far). */
async function failure(d: SyncPassDeps, err: unknown, now: number, prev: SyncRecord, known?: Known): Promise<SyncOutcome> {
  const record: SyncRecord = {
    appliedRevision: prev.appliedRevision,
    appliedAt: prev.appliedAt,
    lastRevision: revisionOf(err) ?? prev.lastRevision,
    lastSyncAt: now,
    result: 'failed',
    message: err instanceof ManifestError ? `${err.problems.length} problem(s) in manifests` : stripUrlCredentials(messageOf(err)),
    problems: err instanceof ManifestError ? err.problems : [],
    failingSince: prev.result === 'failed' ? (prev.failingSince ?? now) : now,
  };
  const outOfBand = await recheckOutOfBand(d, known?.git ?? d.state.git, known?.applied, now);
  return { result: 'failed', error: err, record, ...(known && { applied: known.applied }), ...(known?.git && { git: known.git }), ...(outOfBand && { outOfBand }) };
}

/**
 * While the head cannot be applied nothing reverts hand edits of the applied state, so
 * compare the store with what git declared at the applied revision. The applied state this
 * pass already read or wrote is used as is; otherwise the store is read (a hand edit is
 * only seen there). A store that cannot be read keeps the last finding (undefined).
 */
async function recheckOutOfBand(d: SyncPassDeps, git: ReadonlyMap<string, Resource>, known: ReadonlyMap<string, AppliedResource> | undefined, now: number): Promise<DriftItem[] | undefined> {
  if (git.size === 0) return undefined;
  try {
    const resources = known ? [...known.values()] : (await loadApplied(d.store)).resources;
    return outOfBandDrift(git, resources, now, d.state.outOfBand);
  } catch {
    return undefined; // the sync failure already says what is wrong
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
