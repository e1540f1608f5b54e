/**
 * Planning is a pure function: pair the desired resources (manifests at a revision) with
 * the applied ones (store) by name, and say for each whether it is created, updated (with
 * a field-level diff), pruned or unchanged. `--dry-run` and a real reconcile run this same
 * function; only the latter hands the result to applyPlan. Same shape as argoproj/gitops-engine
 * pkg/sync/reconcile.go; prune rules follow Argo CD and Flux: nothing is deleted unless
 * asked (`--prune`, or the annotation `kairos/prune: "true"` on the applied resource;
 * `kairos/prune: "false"` protects a resource even from `--prune`), and a plan that would
 * delete more than half of the applied resources is refused unless explicitly allowed.
 */
import { KairosError } from '../core/errors.js';
import type { DesiredState, Resource } from '../core/types.js';
import { byteOrder } from '../source/walk.js';
import { diffValues } from './diff.js';
import { upcomingRuns } from './next-runs.js';
import type { AppliedState, Plan, PlanEntry, PlanSummary } from './types.js';

/** Annotation that opts a resource in to (`"true"`) or out of (`"false"`) pruning. */
export const PRUNE_ANNOTATION = 'kairos/prune';

/** The inputs of a plan besides the two states: the time, and the prune switches. */
export interface PlanOptions {
  /** Epoch ms "now", for next-run instants. */
  now: number;
  /** Delete applied resources that are no longer in the manifests. */
  prune?: boolean;
  /** Allow a plan that prunes more than half of the applied resources. */
  allowMassPrune?: boolean;
  /** The git ref whose manifests `applied` was read from (`--against`), to name it in the plan. */
  againstRef?: string;
  /** With `againstRef`: the plan compared with the merge base of that ref and this one (a pull request's diff). */
  mergeBaseOf?: string;
}

/** Pairs desired with applied state. Throws E_MASS_PRUNE when the prune safety limit is hit. */
export function plan(desired: DesiredState, applied: AppliedState, opts: PlanOptions): Plan {
  const before = new Map(applied.resources.map((a) => [a.resource.metadata.name, a.resource]));
  const entries: PlanEntry[] = [];
  for (const r of desired.resources) {
    const old = before.get(r.metadata.name);
    before.delete(r.metadata.name);
    const expectedVersion = applied.versions[r.metadata.name];
    if (!old) {
      entries.push(entry('create', r, { resource: r, nextRuns: runsOf(r, opts.now) }));
      continue;
    }
    const changes = diffValues(comparable(old), comparable(r));
    if (changes.length === 0) entries.push(entry('unchanged', r, { resource: r, expectedVersion }));
    else entries.push(entry('update', r, { resource: r, changes, expectedVersion, nextRuns: runsOf(r, opts.now) }));
  }
  for (const [name, old] of before) {
    const policy = old.metadata.annotations[PRUNE_ANNOTATION];
    const willApply = policy === 'true' || (policy !== 'false' && opts.prune === true);
    entries.push(entry('prune', old, { willApply, expectedVersion: applied.versions[name] }));
  }
  entries.sort((a, b) => byteOrder(a.name, b.name));
  const summary = summarise(entries);
  const total = applied.resources.length;
  if (!opts.allowMassPrune && summary.prune > 0 && summary.prune * 2 > total) {
    throw new KairosError(
      'E_MASS_PRUNE',
      `refusing to prune ${summary.prune} of ${total} applied resources (more than half); ` +
        'check the source and ref, or pass --allow-mass-prune if this is intended',
    );
  }
  return {
    revision: desired.revision,
    ...(applied.revision !== undefined && { appliedRevision: applied.revision }),
    ...(applied.metaVersion !== undefined && { appliedMetaVersion: applied.metaVersion }),
    ...(opts.againstRef !== undefined && { against: { ref: opts.againstRef, revision: applied.revision ?? '', ...(opts.mergeBaseOf !== undefined && { mergeBaseOf: opts.mergeBaseOf }) } }),
    planAt: opts.now,
    entries,
    summary,
  };
}

function entry(action: PlanEntry['action'], r: Resource, rest: Partial<PlanEntry>): PlanEntry {
  return { action, kind: r.kind, name: r.metadata.name, source: r.source, willApply: action !== 'unchanged', changes: [], nextRuns: [], ...rest };
}

/** What counts as a change: kind, metadata and spec. Where the manifest lives does not. */
function comparable(r: Resource): unknown {
  return { kind: r.kind, metadata: r.metadata, spec: r.spec };
}

function runsOf(r: Resource, now: number) {
  return r.spec.schedule ? upcomingRuns(r.spec.schedule, now) : [];
}

function summarise(entries: PlanEntry[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, prune: 0, pruneSkipped: 0, unchanged: 0 };
  for (const e of entries) {
    if (e.action === 'prune' && !e.willApply) s.pruneSkipped++;
    else s[e.action]++;
  }
  return s;
}
