/**
 * Applied state in the Store port. Layout: `resources/<name>` → AppliedResource,
 * `meta/applied` → { revision, appliedAt }. `applyPlan` writes a plan in one atomic
 * `store.commit`, with compare-and-set on every key it read when planning: if anything
 * changed between plan and apply (another controller, another CLI run), the whole apply
 * fails with ConflictError and nothing is written (nomad's `job run -check-index`).
 */
import { KairosError } from '../core/errors.js';
import type { AppliedResource, DesiredState } from '../core/types.js';
import type { Store, StoreOp } from '../ports/store.js';
import type { AppliedState, Plan } from './types.js';

/** Store collection of applied resources. */
export const RESOURCES = 'resources';
/** Store key of the applied revision record. */
export const META_APPLIED = 'meta/applied';

/** The `meta/applied` record. */
export interface AppliedMeta {
  revision: string;
  appliedAt: number;
}

/** Reads everything applied, with the versions `applyPlan` needs for compare-and-set. */
export async function loadApplied(store: Store): Promise<AppliedState> {
  const names = (await store.list(RESOURCES)).sort();
  const got = await Promise.all(names.map((n) => store.get<AppliedResource>(`${RESOURCES}/${n}`)));
  const resources: AppliedResource[] = [];
  const versions: Record<string, number> = {};
  got.forEach((v, i) => {
    if (!v) return; // deleted between list and get
    resources.push(appliedResourceOf(`${RESOURCES}/${names[i]}`, v.value));
    versions[names[i]] = v.version;
  });
  const meta = await store.get<AppliedMeta>(META_APPLIED);
  return {
    ...(meta && { revision: meta.value.revision, metaVersion: meta.version }),
    resources,
    versions,
  };
}

/**
 * Checks the shape of a stored applied resource, so a damaged or hand-edited entry is a
 * clear E_INVALID naming its key instead of a TypeError deep inside planning.
 */
export function appliedResourceOf(key: string, value: unknown): AppliedResource {
  const bad = (what: string) => new KairosError('E_INVALID', `store entry ${key} is not an applied resource: ${what}`);
  if (!isObject(value)) throw bad(`expected an object, found ${typeof value}`);
  const r = value.resource;
  if (!isObject(r)) throw bad('field "resource" must be an object');
  if (typeof r.kind !== 'string') throw bad('field "resource.kind" must be a string');
  if (!isObject(r.metadata) || typeof r.metadata.name !== 'string') throw bad('field "resource.metadata.name" must be a string');
  if (!isObject(r.spec)) throw bad('field "resource.spec" must be an object');
  if (typeof value.revision !== 'string') throw bad('field "revision" must be a string');
  return value as unknown as AppliedResource;
}

function isObject(v: unknown): v is Record<string, unknown> & { metadata?: { name?: unknown } } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Writes the plan's creates, updates and allowed prunes, and records the revision, all or
 * nothing. Throws ConflictError when the store changed since `loadApplied`. `manifests`
 * (resource name → document text as in git) is stored with each resource written.
 */
export async function applyPlan(store: Store, plan: Plan, now: number, manifests?: ReadonlyMap<string, string>): Promise<void> {
  const ops: StoreOp[] = [];
  for (const e of plan.entries) {
    if (!e.willApply) continue;
    const key = `${RESOURCES}/${e.name}`;
    if (e.action === 'prune') {
      ops.push({ op: 'delete', key, expectedVersion: e.expectedVersion });
    } else if (e.resource) {
      const manifest = manifests?.get(e.name);
      const value: AppliedResource = { resource: e.resource, revision: plan.revision, appliedAt: now, ...(manifest !== undefined && { manifest }) };
      ops.push({ op: 'put', key, value, expectedVersion: e.action === 'create' ? -1 : e.expectedVersion });
    }
  }
  const meta: AppliedMeta = { revision: plan.revision, appliedAt: now };
  ops.push({ op: 'put', key: META_APPLIED, value: meta, expectedVersion: plan.appliedMetaVersion ?? -1 });
  await store.commit(ops);
}

/**
 * Applied state as if `desired` had been applied (no store versions): the baseline for
 * `reconcile --against <ref>`, which plans a branch against the manifests of another ref.
 */
export function appliedFromDesired(desired: DesiredState): AppliedState {
  return {
    revision: desired.revision,
    resources: desired.resources.map((resource) => ({ resource, revision: desired.revision, appliedAt: 0 })),
    versions: {},
  };
}
