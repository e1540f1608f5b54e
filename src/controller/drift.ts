/**
 * Drift: where the live state disagrees with git, and why, for `GET /v1/sync`, the job
 * page and the UI's sync banner. Three kinds (Argo CD calls the same idea "OutOfSync"):
 * - a job paused through the API (git never pauses): field `paused`;
 * - the applied revision is not git's head because syncing the head keeps failing:
 *   field `revision` on the pseudo-job `*` (the whole applied state);
 * - an applied resource that differs from what git declared at the applied revision, i.e.
 *   changed in the store behind the controller's back (a hand edit, another writer): one
 *   item per changed field, or field `exists` when it was added or removed. A successful
 *   sync reverts these, so they are only seen while syncing the head fails.
 */
import type { AppliedResource, Resource } from '../core/types.js';
import type { DriftItem } from '../ports/controller.js';
import { diffValues } from '../plan/diff.js';
import type { JobOverride, SyncRecord } from './state.js';

/** The pseudo-job name of drift that concerns the whole applied state. */
export const ALL_JOBS = '*';

/** Pauses made through the API, for jobs that are applied. */
export function pauseDrift(overrides: ReadonlyMap<string, JobOverride>, applied: ReadonlyMap<string, unknown>): DriftItem[] {
  return [...overrides]
    .filter(([job, o]) => o.paused && applied.has(job))
    .map(([job, o]) => ({ job, field: 'paused', desired: false, live: true, since: o.since }));
}

/** The head revision git has but the controller could not apply (last sync failed). */
export function revisionDrift(s: SyncRecord): DriftItem[] {
  if (s.result !== 'failed' || s.lastRevision === undefined || s.lastRevision === s.appliedRevision) return [];
  return [{ job: ALL_JOBS, field: 'revision', desired: s.lastRevision, live: s.appliedRevision ?? null, ...(s.failingSince !== undefined && { since: s.failingSince }) }];
}

const comparable = (r: Resource) => ({ kind: r.kind, metadata: r.metadata, spec: r.spec });

/**
 * Differences between what git declared at the applied revision (`git`) and what the store
 * holds now (`stored`). `since` of an item already in `previous` is kept.
 */
export function outOfBandDrift(git: ReadonlyMap<string, Resource>, stored: readonly AppliedResource[], now: number, previous: readonly DriftItem[] = []): DriftItem[] {
  const out: DriftItem[] = [];
  const live = new Map(stored.map((a) => [a.resource.metadata.name, a.resource]));
  for (const name of [...new Set([...git.keys(), ...live.keys()])].sort()) {
    const want = git.get(name);
    const have = live.get(name);
    if (!want || !have) {
      out.push({ job: name, field: 'exists', desired: want !== undefined, live: have !== undefined, since: now });
      continue;
    }
    for (const c of diffValues(comparable(want), comparable(have))) out.push({ job: name, field: c.path, desired: c.old ?? null, live: c.new ?? null, since: now });
  }
  return out.map((d) => ({ ...d, since: previous.find((p) => p.job === d.job && p.field === d.field)?.since ?? d.since }));
}
