/**
 * The Store port: a small versioned key-value store with compare-and-set, shaped so that
 * a file (single node) and ZooKeeper (HA) both implement it with the same semantics.
 *
 * Keys are `<collection>/<id>`: the collection has no `/`, the id may contain anything
 * (run ids hold `@`, `:` and `/`); adapters escape ids as their medium needs.
 * Versions are per key, start at 0 on create and grow by one on every write (ZooKeeper's
 * znode `version`). `expectedVersion: -1` means "must not exist" (create-if-absent);
 * omitted means unconditional. A write that loses the race throws ConflictError; a write
 * by a deposed leader throws FencedError. Nothing is ever half-applied: `commit` is atomic.
 */

export interface Versioned<T> {
  value: T;
  version: number;
}

export type StoreOp =
  | { op: 'put'; key: string; value: unknown; expectedVersion?: number }
  | { op: 'delete'; key: string; expectedVersion?: number };

export interface Store {
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  /** The ids in a collection (not the full keys), in no particular order. */
  list(collection: string): Promise<string[]>;
  /** Writes one key; returns its new version. */
  put(key: string, value: unknown, expectedVersion?: number): Promise<number>;
  /** Deletes one key; deleting a missing key without an expected version is a no-op. */
  delete(key: string, expectedVersion?: number): Promise<void>;
  /** Applies all ops or none. */
  commit(ops: StoreOp[]): Promise<void>;
  /**
   * Optional: the largest commit (encoded values plus about 100 bytes an op) this store
   * writes in one plain atomic step; larger commits stay atomic but cost more (ZooKeeper:
   * staged in pieces behind a switch). A caller batching independent writes (the run
   * ledger's `writeMany`) splits its batch into commits of this size; undefined: no limit.
   */
  readonly maxCommitBytes?: number;
  close(): Promise<void>;
  /**
   * Optional: calls `onChange` after any process changed the store (at least once per change,
   * perhaps more; never before the change can be read). Returns the function that stops
   * watching. Stores several processes share implement it (ZooKeeper); followers use it to
   * keep their read view fresh.
   */
  watch?(onChange: () => void): () => void;
}

/** Splits `collection/id` at the first slash. */
export function splitKey(key: string): { collection: string; id: string } {
  const i = key.indexOf('/');
  if (i <= 0 || i === key.length - 1) throw new Error(`store key must be <collection>/<id>: ${JSON.stringify(key)}`);
  return { collection: key.slice(0, i), id: key.slice(i + 1) };
}
