/**
 * The semantics every Store adapter shares, kept in one pure place so the memory, file and
 * ZooKeeper stores cannot drift apart: value encoding (JSON, size-bounded) and the
 * compare-and-set rules of src/ports/store.ts applied to a batch of ops.
 */
import { ConflictError, KairosError } from '../core/errors.js';
import { splitKey, type StoreOp } from '../ports/store.js';

/**
 * Largest encoded value (UTF-8 JSON bytes) any store accepts. ZooKeeper refuses packets
 * over `jute.maxbuffer` (1 MiB by default, ZooKeeper Administrator's Guide, "Unsafe
 * Options"), so every store refuses well below it; callers keep history bounded instead.
 */
export const MAX_VALUE_BYTES = 512 * 1024;

/** One stored entry: the encoded JSON text and its version. */
export interface Entry {
  json: string;
  version: number;
}

/** Encodes a value as JSON, refusing values JSON cannot carry or that are too large. */
export function encodeValue(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new KairosError('E_INVALID', `value for ${key} is not JSON-serialisable`, { cause: err });
  }
  if (json === undefined) throw new KairosError('E_INVALID', `value for ${key} is not JSON-serialisable`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_VALUE_BYTES) {
    throw new KairosError('E_INVALID', `value for ${key} is ${bytes} bytes encoded; the store limit is ${MAX_VALUE_BYTES}`);
  }
  return json;
}

/** Throws E_INVALID unless `key` is `<collection>/<id>`. */
export function checkKey(key: string): void {
  try {
    splitKey(key);
  } catch (err) {
    throw new KairosError('E_INVALID', (err as Error).message);
  }
}

/**
 * Checks a batch of ops against the current entries and returns the resulting changes
 * (`null` = deleted), or throws ConflictError for the first failed check. Ops apply in
 * order, so a later op sees an earlier one's effect, as in a ZooKeeper multi
 * (ZooKeeper Programmer's Guide, "Multi-update"). Nothing is changed here.
 */
export function planOps(read: (key: string) => Entry | undefined, ops: StoreOp[]): Map<string, Entry | null> {
  const changes = new Map<string, Entry | null>();
  const current = (key: string): Entry | undefined => {
    const c = changes.get(key);
    return c === undefined ? read(key) : (c ?? undefined);
  };
  for (const op of ops) {
    checkKey(op.key);
    const had = current(op.key);
    checkVersion(op.key, op.expectedVersion, had);
    if (op.op === 'put') {
      const json = encodeValue(op.key, op.value);
      changes.set(op.key, { json, version: had ? had.version + 1 : 0 });
    } else if (had) {
      changes.set(op.key, null);
    }
  }
  return changes;
}

/** Enforces an expected version: -1 = must be absent, n >= 0 = must exist at version n. */
export function checkVersion(key: string, expected: number | undefined, had: Entry | undefined): void {
  if (expected === undefined) return;
  if (expected === -1 ? had !== undefined : had?.version !== expected) {
    throw new ConflictError(key, expected, had?.version);
  }
}

/** The ids of `collection` among full keys. */
export function idsIn(keys: Iterable<string>, collection: string): string[] {
  const prefix = `${collection}/`;
  const ids: string[] = [];
  for (const k of keys) if (k.startsWith(prefix)) ids.push(k.slice(prefix.length));
  return ids;
}
