/**
 * A Store in one JSON file, for the single-node default (`--store file:<path>`).
 * Every write rewrites the file atomically (temp file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old or the new state, never a torn file.
 * Writers in one process are serialised; the file is owned by one process at a time:
 * `openExclusive` holds `<path>.lock` until `close()` (./file-owner.ts). HA setups use the
 * ZooKeeper store. A file that exists but is empty or damaged is refused, never read as an
 * empty store: that would silently drop history, the framework id and run numbers.
 */
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KairosError } from '../core/errors.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { Store, StoreOp, Versioned } from '../ports/store.js';
import { checkKey, idsIn, planOps, type Entry } from './ops.js';
import { acquireOwnerLock, type OwnerLock } from './file-owner.js';
import { Serial } from './serial.js';

/** Format marker written into every file, checked on load. */
const FORMAT = 'kairos-store/1';

/** A Store persisted to `path` (created on first write; missing file = empty store). */
export class FileStore implements Store {
  private entries?: Map<string, Entry>;
  private readonly serial = new Serial();
  private closed = false;
  private seq = 0;

  private owner?: OwnerLock;

  constructor(readonly path: string) {}

  /**
   * Opens the store as its one writer: takes the owner lock (StoreOwnedError names the
   * holder's pid) and reads the file once, so a damaged file fails here, at start-up.
   */
  static async openExclusive(path: string, clock: Clock = systemClock): Promise<FileStore> {
    const store = new FileStore(path);
    store.owner = await acquireOwnerLock(path, clock.now());
    try {
      await store.load();
    } catch (err) {
      await store.owner.release();
      throw err;
    }
    return store;
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    checkKey(key);
    const e = (await this.load()).get(key);
    return e && { value: JSON.parse(e.json) as T, version: e.version };
  }

  async list(collection: string): Promise<string[]> {
    return idsIn((await this.load()).keys(), collection);
  }

  async put(key: string, value: unknown, expectedVersion?: number): Promise<number> {
    await this.commit([{ op: 'put', key, value, expectedVersion }]);
    return (await this.load()).get(key)!.version;
  }

  async delete(key: string, expectedVersion?: number): Promise<void> {
    await this.commit([{ op: 'delete', key, expectedVersion }]);
  }

  commit(ops: StoreOp[]): Promise<void> {
    return this.serial.run(async () => {
      const entries = await this.load();
      const changes = planOps((k) => entries.get(k), ops);
      if (changes.size === 0) return;
      const next = new Map(entries);
      for (const [k, e] of changes) {
        if (e) next.set(k, e);
        else next.delete(k);
      }
      await this.persist(next);
      this.entries = next;
    });
  }

  async close(): Promise<void> {
    await this.serial.run(() => undefined);
    this.closed = true;
    await this.owner?.release();
    this.owner = undefined;
  }

  private async load(): Promise<Map<string, Entry>> {
    if (this.closed) throw new KairosError('E_UNAVAILABLE', `store ${this.path} is closed`);
    if (this.entries) return this.entries;
    let text: string | undefined;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new KairosError('E_UNAVAILABLE', `cannot read store ${this.path}: ${(err as Error).message}`, { cause: err });
      }
    }
    this.entries ??= text === undefined ? new Map() : parseStoreFile(this.path, text);
    return this.entries;
  }

  private async persist(entries: Map<string, Entry>): Promise<void> {
    const parts: string[] = [];
    for (const [k, e] of entries) parts.push(`${JSON.stringify(k)}:[${e.version},${e.json}]`);
    const text = `{"format":${JSON.stringify(FORMAT)},"entries":{\n${parts.join(',\n')}\n}}\n`;
    const dir = dirname(this.path);
    const tmp = join(dir, `.${basename(this.path)}.${process.pid}.${this.seq++}.tmp`);
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw new KairosError('E_UNAVAILABLE', `cannot write store ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    await syncDir(dir);
  }
}

/** Makes a rename durable (POSIX: the directory entry lives in the directory). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}

/** Parses a store file, naming the file in any error. */
function parseStoreFile(path: string, text: string): Map<string, Entry> {
  if (text.trim() === '') {
    throw new KairosError('E_INVALID', `${path}: the store file is empty (truncated by a full disk or a copy?); restore it from a backup, or delete it to start with an empty store`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new KairosError('E_INVALID', `${path}: not a Kairos store file (${(err as Error).message})`);
  }
  const d = doc as { format?: unknown; entries?: unknown };
  if (d?.format !== FORMAT || typeof d.entries !== 'object' || d.entries === null) {
    throw new KairosError('E_INVALID', `${path}: not a Kairos store file (expected format ${FORMAT})`);
  }
  const map = new Map<string, Entry>();
  for (const [k, pair] of Object.entries(d.entries as Record<string, unknown>)) {
    if (!Array.isArray(pair) || pair.length !== 2 || !Number.isInteger(pair[0])) {
      throw new KairosError('E_INVALID', `${path}: entry ${JSON.stringify(k)} is malformed`);
    }
    map.set(k, { version: pair[0] as number, json: JSON.stringify(pair[1]) });
  }
  return map;
}
