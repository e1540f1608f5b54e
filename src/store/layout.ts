/**
 * The store layout: every key Kairos keeps in the Store port (src/ports/store.ts), each
 * behind a typed collection or record, so a key is spelled in one place and a reader gets
 * the type its writer put. Everything else takes keys from here.
 *
 *     resources/<name>      AppliedResource      written by applyPlan (src/plan/apply.ts)
 *     meta/applied          AppliedMeta          written by applyPlan, in the same commit
 *     meta/sync             SyncRecord           the outcome of the last sync pass
 *     meta/framework-id     string               the Mesos FrameworkID (failover to the same framework)
 *     meta/framework-id.<c> string               the FrameworkID of named cluster <c> (`--cluster`; `default` uses the key above)
 *     overrides/<job>       JobOverride          pauses made through the API
 *     runs/<run id>         Run                  the run ledger (src/controller/run-ledger.ts)
 *     outbox/<id>           OutboxEntry          notifications, committed with their run
 *
 * ZooKeeper's own paths under the chroot (locks, election, epochs) are src/store/zk-layout.ts.
 */
import { KairosError } from '../core/errors.js';
import type { Run } from '../core/run.js';
import type { AppliedResource } from '../core/types.js';
import type { OutboxEntry } from '../notify/events.js';
import type { SyncStatus } from '../ports/controller.js';
import type { Store, StoreOp, Versioned } from '../ports/store.js';

/** Every collection name and single key of the layout (tests and tools that read the store raw use these). */
export const KEYS = {
  resources: 'resources',
  appliedMeta: 'meta/applied',
  sync: 'meta/sync',
  frameworkId: 'meta/framework-id',
  overrides: 'overrides',
  runs: 'runs',
  outbox: 'outbox',
} as const;

/** The `meta/applied` record: the revision of the last apply. */
export interface AppliedMeta {
  revision: string;
  appliedAt: number;
}

/** A runtime override of one job (`overrides/<job>`). */
export interface JobOverride {
  paused: boolean;
  /** Epoch ms the override was made. */
  since: number;
}

/** The outcome of the last sync (`meta/sync`), so a restart still shows it. */
export type SyncRecord = Pick<SyncStatus, 'appliedRevision' | 'appliedAt' | 'lastRevision' | 'lastSyncAt' | 'result' | 'message' | 'problems' | 'failingSince'>;

/** One stored entry of a collection. */
export interface Entry<T> {
  id: string;
  value: T;
  version: number;
}

/** A collection `<name>/<id>` of values of one type. Reads check the shape when `check` is given. */
export class Collection<T> {
  constructor(
    private readonly store: Store,
    readonly name: string,
    private readonly check: (key: string, value: unknown) => T = (_k, v) => v as T,
  ) {}

  /** The full key of `id`. */
  key(id: string): string {
    return `${this.name}/${id}`;
  }

  /** The ids present, in no particular order. */
  ids(): Promise<string[]> {
    return this.store.list(this.name);
  }

  /** One entry, or undefined when absent. */
  async get(id: string): Promise<Versioned<T> | undefined> {
    const got = await this.store.get<unknown>(this.key(id));
    return got && { value: this.check(this.key(id), got.value), version: got.version };
  }

  /** Every entry (one deleted between list and get is left out), ids sorted. */
  async all(): Promise<Entry<T>[]> {
    const ids = (await this.ids()).sort();
    const got = await Promise.all(ids.map((id) => this.get(id)));
    return got.flatMap((g, i) => (g ? [{ id: ids[i], ...g }] : []));
  }

  /** Writes one entry; returns its new version. */
  put(id: string, value: T, expectedVersion?: number): Promise<number> {
    return this.store.put(this.key(id), value, expectedVersion);
  }

  /** Deletes one entry. */
  delete(id: string, expectedVersion?: number): Promise<void> {
    return this.store.delete(this.key(id), expectedVersion);
  }

  /** A put for a `store.commit`. */
  putOp(id: string, value: T, expectedVersion?: number): StoreOp {
    return { op: 'put', key: this.key(id), value, ...(expectedVersion !== undefined && { expectedVersion }) };
  }

  /** A delete for a `store.commit`. */
  deleteOp(id: string, expectedVersion?: number): StoreOp {
    return { op: 'delete', key: this.key(id), ...(expectedVersion !== undefined && { expectedVersion }) };
  }
}

/** One key holding one value (`meta/<id>`). */
export class Single<T> {
  constructor(
    private readonly store: Store,
    readonly key: string,
  ) {}

  get(): Promise<Versioned<T> | undefined> {
    return this.store.get<T>(this.key);
  }

  put(value: T, expectedVersion?: number): Promise<number> {
    return this.store.put(this.key, value, expectedVersion);
  }

  delete(): Promise<void> {
    return this.store.delete(this.key);
  }

  /** A put for a `store.commit`. */
  putOp(value: T, expectedVersion?: number): StoreOp {
    return { op: 'put', key: this.key, value, ...(expectedVersion !== undefined && { expectedVersion }) };
  }
}

/** Every collection and record of the layout, over one store. */
export class StoreLayout {
  readonly resources: Collection<AppliedResource>;
  readonly appliedMeta: Single<AppliedMeta>;
  readonly sync: Single<SyncRecord>;
  readonly frameworkId: Single<string>;
  readonly overrides: Collection<JobOverride>;
  readonly runs: Collection<Run>;
  readonly outbox: Collection<OutboxEntry>;

  /**
   * The FrameworkID record of one cluster: `meta/framework-id` for `default` (the one
   * cluster of `--mesos`, so an existing store keeps its framework), `meta/framework-id.<name>`
   * for the other clusters of `--cluster` (src/clusters).
   */
  frameworkIdOf(cluster: string): Single<string> {
    return cluster === 'default' ? this.frameworkId : new Single(this.store, `${KEYS.frameworkId}.${cluster}`);
  }

  constructor(readonly store: Store) {
    this.resources = new Collection(store, KEYS.resources, appliedResourceOf);
    this.appliedMeta = new Single(store, KEYS.appliedMeta);
    this.sync = new Single(store, KEYS.sync);
    this.frameworkId = new Single(store, KEYS.frameworkId);
    this.overrides = new Collection(store, KEYS.overrides);
    this.runs = new Collection(store, KEYS.runs);
    this.outbox = new Collection(store, KEYS.outbox);
  }
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
