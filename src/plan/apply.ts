/**
 * Applied state in the Store port (keys: src/store/layout.ts): `resources/<name>` →
 * AppliedResource, `meta/applied` → { revision, appliedAt }. `applyPlan` writes a plan in one atomic
 * `store.commit`, with compare-and-set on every key it read when planning: if anything
 * changed between plan and apply (another controller, another CLI run), the whole apply
 * fails with ConflictError and nothing is written (nomad's `job run -check-index`).
 */
import type { AppliedResource, DesiredState } from '../core/types.js';
import type { Store, StoreOp } from '../ports/store.js';
import { StoreLayout, type AppliedMeta } from '../store/layout.js';
import type { AppliedState, Plan } from './types.js';

/** Reads everything applied, with the versions `applyPlan` needs for compare-and-set. */
export async function loadApplied(store: Store): Promise<AppliedState> {
  const layout = new StoreLayout(store);
  const entries = await layout.resources.all();
  const meta = await layout.appliedMeta.get();
  return {
    ...(meta && { revision: meta.value.revision, metaVersion: meta.version }),
    resources: entries.map((e) => e.value),
    versions: Object.fromEntries(entries.map((e) => [e.id, e.version])),
  };
}

/** What `applyPlan` committed: the resources it put, the names it pruned, the `meta/applied` record. */
export interface Applied {
  written: AppliedResource[];
  pruned: string[];
  meta: AppliedMeta;
}

/**
 * Writes the plan's creates, updates and allowed prunes, and records the revision, all or
 * nothing. Throws ConflictError when the store changed since `loadApplied`. `manifests`
 * (resource name → document text as in git) is stored with each resource written.
 */
export async function applyPlan(store: Store, plan: Plan, now: number, manifests?: ReadonlyMap<string, string>): Promise<Applied> {
  const layout = new StoreLayout(store);
  const ops: StoreOp[] = [];
  const written: AppliedResource[] = [];
  const pruned: string[] = [];
  for (const e of plan.entries) {
    if (!e.willApply) continue;
    if (e.action === 'prune') {
      ops.push(layout.resources.deleteOp(e.name, e.expectedVersion));
      pruned.push(e.name);
    } else if (e.resource) {
      const manifest = manifests?.get(e.name);
      const value: AppliedResource = { resource: e.resource, revision: plan.revision, appliedAt: now, ...(manifest !== undefined && { manifest }) };
      ops.push(layout.resources.putOp(e.name, value, e.action === 'create' ? -1 : e.expectedVersion));
      written.push(value);
    }
  }
  const meta: AppliedMeta = { revision: plan.revision, appliedAt: now };
  ops.push(layout.appliedMeta.putOp(meta, plan.appliedMetaVersion ?? -1));
  await store.commit(ops);
  return { written, pruned, meta };
}

/** The applied resources after `applied` was committed over `before` (what the store then holds), sorted by name. */
export function appliedAfter(before: readonly AppliedResource[], applied: Applied): AppliedResource[] {
  const out = new Map(before.map((a) => [a.resource.metadata.name, a]));
  for (const name of applied.pruned) out.delete(name);
  for (const a of applied.written) out.set(a.resource.metadata.name, a);
  return [...out.values()].sort((a, b) => (a.resource.metadata.name < b.resource.metadata.name ? -1 : 1));
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
