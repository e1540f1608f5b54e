/**
 * What the controller holds in memory between syncs: the applied resources (mirrored from
 * the store's `resources/*`), runtime overrides made through the API (`overrides/<job>`:
 * pause), and the outcome of the last sync (`meta/sync`). The store is the truth; this is
 * its read-side cache, read on start and on every leadership gain, and otherwise updated
 * only from what was written: a sync pass's {@link SyncOutcome} is taken in one assignment.
 * Keys and record types are the store layout's (src/store/layout.ts).
 */
import type { AppliedResource, Resource } from '../core/types.js';
import type { DriftItem } from '../ports/controller.js';
import type { Store } from '../ports/store.js';
import type { Plan } from '../plan/types.js';
import { StoreLayout, type JobOverride, type SyncRecord } from '../store/layout.js';

export type { JobOverride, SyncRecord } from '../store/layout.js';

/** Applied resources by name. */
export type AppliedByName = Map<string, AppliedResource>;

/**
 * What one sync pass did, as one value (src/controller/sync-pass.ts): the record it wrote
 * to `meta/sync`, and what it knows of the applied state, of git at the applied revision
 * and of drift. A failed pass leaves out what it did not learn (the cache keeps it).
 */
export type SyncOutcome =
  | { result: 'ok'; plan: Plan; record: SyncRecord; applied: AppliedByName; git: ReadonlyMap<string, Resource>; outOfBand: DriftItem[] }
  | { result: 'failed'; error: unknown; record: SyncRecord; applied?: AppliedByName; git?: ReadonlyMap<string, Resource>; outOfBand?: DriftItem[] };

/** The read-side cache of applied state, overrides and sync outcome. */
export class ControllerState {
  applied: AppliedByName = new Map();
  overrides = new Map<string, JobOverride>();
  sync: SyncRecord = { result: 'never', problems: [] };
  syncing = false;
  /** What git declared at the applied revision, as of this process's last successful sync. */
  git: ReadonlyMap<string, Resource> = new Map();
  /** Applied state that disagrees with `git` (drift.ts `outOfBandDrift`), as last seen. */
  outOfBand: DriftItem[] = [];
  private readonly layout: StoreLayout;

  constructor(store: Store) {
    this.layout = new StoreLayout(store);
  }

  /** Reads everything from the store; forgets what git declared (another leader may have applied since). */
  async load(): Promise<void> {
    this.git = new Map();
    this.outOfBand = [];
    this.applied = byName((await this.layout.resources.all()).map((e) => e.value));
    this.overrides = new Map((await this.layout.overrides.all()).map((e) => [e.id, e.value]));
    this.sync = (await this.layout.sync.get())?.value ?? { result: 'never', problems: [] };
  }

  /** Takes the outcome of a sync pass (its record is already in the store). */
  settle(o: SyncOutcome): void {
    this.sync = o.record;
    if (o.applied) this.applied = o.applied;
    if (o.git) this.git = o.git;
    if (o.outOfBand) this.outOfBand = o.outOfBand;
  }

  /** Sets or clears a job's pause; returns the override now in effect. */
  async setPaused(job: string, paused: boolean, now: number): Promise<JobOverride | undefined> {
    if (!paused) {
      await this.layout.overrides.delete(job);
      this.overrides.delete(job);
      return undefined;
    }
    const o = this.overrides.get(job) ?? { paused: true, since: now };
    await this.layout.overrides.put(job, o);
    this.overrides.set(job, o);
    return o;
  }

  isPaused(job: string): boolean {
    return this.overrides.get(job)?.paused === true;
  }
}

/** Applied resources keyed by resource name. */
export function byName(resources: readonly AppliedResource[]): Map<string, AppliedResource> {
  return new Map(resources.map((a) => [a.resource.metadata.name, a]));
}
