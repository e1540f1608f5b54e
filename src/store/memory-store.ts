/**
 * An in-memory Store: the reference implementation of the port's semantics, used by
 * unit tests and by `--store memory:` for throwaway runs. Values are kept as JSON text,
 * so callers get fresh copies and see exactly what a persistent store would give back.
 */
import type { Store, StoreOp, Versioned } from '../ports/store.js';
import { checkKey, idsIn, planOps, type Entry } from './ops.js';

/** A Store held in a Map; nothing survives the process. */
export class MemoryStore implements Store {
  protected entries = new Map<string, Entry>();

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    checkKey(key);
    const e = this.entries.get(key);
    return e && { value: JSON.parse(e.json) as T, version: e.version };
  }

  async list(collection: string): Promise<string[]> {
    return idsIn(this.entries.keys(), collection);
  }

  async put(key: string, value: unknown, expectedVersion?: number): Promise<number> {
    await this.commit([{ op: 'put', key, value, expectedVersion }]);
    return this.entries.get(key)!.version;
  }

  async delete(key: string, expectedVersion?: number): Promise<void> {
    await this.commit([{ op: 'delete', key, expectedVersion }]);
  }

  async commit(ops: StoreOp[]): Promise<void> {
    this.apply(planOps((k) => this.entries.get(k), ops));
  }

  async close(): Promise<void> {}

  /** Applies checked changes (`null` deletes). */
  protected apply(changes: Map<string, Entry | null>): void {
    for (const [k, e] of changes) {
      if (e) this.entries.set(k, e);
      else this.entries.delete(k);
    }
  }
}
