/**
 * What the controller holds in memory between syncs: the applied resources (mirrored from
 * the store's `resources/*`), runtime overrides made through the API (`overrides/<job>`:
 * pause), and the outcome of the last sync (`meta/sync`). The store is the truth; this is
 * its read-side cache, reloaded on start and on every leadership gain.
 */
import type { AppliedResource, Resource } from '../core/types.js';
import type { DriftItem, SyncStatus } from '../ports/controller.js';
import type { Store } from '../ports/store.js';
import { appliedResourceOf } from '../plan/apply.js';

/** A runtime override of one job, recorded in the store as `overrides/<job>`. */
export interface JobOverride {
  paused: boolean;
  /** Epoch ms the override was made. */
  since: number;
}

/** The outcome of the last sync, recorded as `meta/sync` so a restart still shows it. */
export type SyncRecord = Pick<SyncStatus, 'appliedRevision' | 'appliedAt' | 'lastRevision' | 'lastSyncAt' | 'result' | 'message' | 'problems' | 'failingSince'>;

export const OVERRIDES = 'overrides';
export const SYNC_KEY = 'meta/sync';
const RESOURCES = 'resources';

/** The read-side cache of applied state, overrides and sync outcome. */
export class ControllerState {
  applied = new Map<string, AppliedResource>();
  overrides = new Map<string, JobOverride>();
  sync: SyncRecord = { result: 'never', problems: [] };
  syncing = false;
  /** What git declared at the applied revision, as of this process's last successful sync. */
  git = new Map<string, Resource>();
  /** Applied state that disagrees with `git` (drift.ts `outOfBandDrift`), as last seen. */
  outOfBand: DriftItem[] = [];

  constructor(private readonly store: Store) {}

  /** Reads everything from the store; forgets what git declared (another leader may have applied since). */
  async load(): Promise<void> {
    this.git = new Map();
    this.outOfBand = [];
    this.applied = await this.readAll<AppliedResource>(RESOURCES, (r, key) => appliedResourceOf(key, r).resource.metadata.name);
    this.overrides = await this.readAll<JobOverride>(OVERRIDES);
    this.sync = (await this.store.get<SyncRecord>(SYNC_KEY))?.value ?? { result: 'never', problems: [] };
  }

  /** Re-reads the applied resources (after an apply). */
  async reloadApplied(): Promise<void> {
    this.applied = await this.readAll<AppliedResource>(RESOURCES, (r, key) => appliedResourceOf(key, r).resource.metadata.name);
  }

  /** Records the outcome of a sync in memory and in the store. */
  async recordSync(record: SyncRecord): Promise<void> {
    this.sync = record;
    await this.store.put(SYNC_KEY, record);
  }

  /** Sets or clears a job's pause; returns the override now in effect. */
  async setPaused(job: string, paused: boolean, now: number): Promise<JobOverride | undefined> {
    if (!paused) {
      await this.store.delete(`${OVERRIDES}/${job}`);
      this.overrides.delete(job);
      return undefined;
    }
    const o = this.overrides.get(job) ?? { paused: true, since: now };
    await this.store.put(`${OVERRIDES}/${job}`, o);
    this.overrides.set(job, o);
    return o;
  }

  isPaused(job: string): boolean {
    return this.overrides.get(job)?.paused === true;
  }

  private async readAll<T>(collection: string, name?: (v: T, key: string) => string): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const ids = await this.store.list(collection);
    const got = await Promise.all(ids.map((id) => this.store.get<T>(`${collection}/${id}`)));
    got.forEach((g, i) => g && out.set(name ? name(g.value, `${collection}/${ids[i]}`) : ids[i], g.value));
    return out;
  }
}
