/**
 * The Store port on ZooKeeper (`--store zk://[user:password@]host:port[,host:port]/path`),
 * for several controllers sharing state. One key is one znode (layout in zk-layout.ts);
 * the Store version is the znode `version`, so compare-and-set is ZooKeeper's own
 * conditional setData/delete, and `commit` is one ZooKeeper multi (all or nothing); a
 * commit too large for one multi is written in pieces behind one atomic switch
 * (zk-chunked.ts), and readers overlay a switched-but-not-rolled commit on the data.
 *
 * Change notifications: every write's multi also bumps `<root>/changes`, so a follower
 * watches one znode (a ZooKeeper data watch, re-armed before each notification) to learn
 * that the store changed, instead of watching every key or polling.
 *
 * Fencing: given a `fence`, every write's multi also checks the version of the epoch
 * znode the leader saw when it won (src/ha/election.ts). A new leader bumps that version
 * on winning, so a deposed leader's writes fail as a whole with FencedError, even if its
 * process was paused and still believes it leads.
 */
import { ConflictError, FencedError, KairosError } from '../core/errors.js';
import { splitKey, type Store, type StoreOp, type Versioned } from '../ports/store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { checkKey, encodeValue } from './ops.js';
import { ZK, ZkClient, ZkError, type ZkOp } from './zk-client.js';
import { OP_OVERHEAD_BYTES } from './commit-batches.js';
import { chunkedCommit, MAX_MULTI_BYTES, needsChunks, overlayList, readPending, rollForward, type ChunkedDeps, type Pending } from './zk-chunked.js';
import { decodeData, encodeData, parseZkUrl, unescapeName, zkPaths } from './zk-layout.js';


/** The epoch znode and the version this process must still find there to write. */
export interface FenceToken {
  path: string;
  version: number;
}

/** Returns the current fence token, or throws FencedError when this process may not write. */
export type Fence = () => FenceToken;

/** Options of a ZookeeperStore. */
export interface ZookeeperStoreOptions {
  /** When set, every write is fenced by the leader's epoch (see the module comment). */
  fence?: Fence;
  /** Close the client with the store (true when `open` built it). */
  ownsClient?: boolean;
}

/** A retry budget for unconditional ops whose existence pre-read went stale. */
const STALE_RETRIES = 5;

/** The Store port over one ZooKeeper session. */
export class ZookeeperStore implements Store {
  /** Half a multi (zk-chunked.ts MAX_MULTI_BYTES): a batch split at this size stays one plain multi, with room for the fence, the changes bump and multi-byte text. */
  readonly maxCommitBytes = MAX_MULTI_BYTES / 2;
  private readonly paths;
  private readonly collections = new Set<string>();
  private changesReady?: Promise<void>;
  /** The committed large transaction readers must overlay, cached until its znode changes. */
  private pendingCache?: Promise<Pending | undefined>;

  constructor(
    readonly zk: ZkClient,
    readonly root: string,
    private readonly opts: ZookeeperStoreOptions = {},
  ) {
    this.paths = zkPaths(root);
    // The watch that clears the cached pending commit died with an expired session.
    zk.on('connected', (e) => e.newSession && (this.pendingCache = undefined));
  }

  /** Connects to the URL's ensemble with its own session and prepares the layout. */
  static async open(url: string, o: { clock?: Clock; logger?: Logger; sessionTimeoutMs?: number; fence?: Fence } = {}): Promise<ZookeeperStore> {
    const { servers, root, auth, sessionTimeoutMs } = parseZkUrl(url);
    const zk = new ZkClient({ servers, auth, clock: o.clock, logger: o.logger, sessionTimeoutMs: o.sessionTimeoutMs ?? sessionTimeoutMs });
    try {
      await zk.connect();
      await zk.ensure(zkPaths(root).data);
    } catch (err) {
      await zk.close();
      throw err;
    }
    return new ZookeeperStore(zk, root, { fence: o.fence, ownsClient: true });
  }

  /** The same data and session, with writes fenced by `fence`. */
  withFence(fence: Fence): ZookeeperStore {
    return new ZookeeperStore(this.zk, this.root, { fence });
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const pending = await this.pending();
    if (pending?.has(key)) {
      // Switched but not rolled forward yet: the staged value is in force (its final
      // version is not known yet; the znode's is close, and a CAS on it fails retryably).
      const json = pending.get(key);
      return json === undefined ? undefined : { value: JSON.parse(json) as T, version: (await this.zk.exists(this.path(key))) ?? 0 };
    }
    const got = await this.zk.get(this.path(key));
    return got && { value: JSON.parse(decodeData(got.data)) as T, version: got.version };
  }

  async list(collection: string): Promise<string[]> {
    const ids = ((await this.zk.children(this.paths.collection(collection))) ?? []).map(unescapeName);
    const pending = await this.pending();
    return pending ? overlayList(ids, collection, pending) : ids;
  }

  async put(key: string, value: unknown, expectedVersion?: number): Promise<number> {
    const versions = await this.apply([{ op: 'put', key, value, expectedVersion }]);
    return versions[0];
  }

  async delete(key: string, expectedVersion?: number): Promise<void> {
    await this.apply([{ op: 'delete', key, expectedVersion }]);
  }

  async commit(ops: StoreOp[]): Promise<void> {
    await this.apply(ops);
  }

  async close(): Promise<void> {
    if (this.opts.ownsClient) await this.zk.close();
  }

  /**
   * Calls `onChange` after each write by any process: an `exists` watch on the changes znode,
   * re-armed before each call so no change between a notification and the reload it causes
   * goes unseen; a new session (watches die with the old one) counts as a change, and so does
   * a failed re-arm, which is tried again at the next connection (the session may live on).
   */
  watch(onChange: () => void): () => void {
    let stopped = false;
    let armed = false;
    const arm = (notify: boolean): void => {
      if (stopped) return;
      armed = true;
      this.ensureChanges()
        .then(() => this.zk.exists(this.paths.changes, () => arm(true)))
        .then(
          () => !stopped && notify && onChange(),
          () => {
            armed = false;
            if (!stopped) onChange();
          },
        );
    };
    const off = this.zk.on('connected', (e) => (e.newSession || !armed) && arm(true));
    arm(false);
    return () => {
      stopped = true;
      off();
    };
  }

  private ensureChanges(): Promise<void> {
    this.changesReady ??= this.zk.ensure(this.paths.changes).catch((err: unknown) => {
      this.changesReady = undefined;
      throw err;
    });
    return this.changesReady;
  }

  private pending(): Promise<Pending | undefined> {
    this.pendingCache ??= readPending(this.zk, this.root, () => (this.pendingCache = undefined)).catch((err: unknown) => {
      this.pendingCache = undefined;
      throw err;
    });
    return this.pendingCache;
  }

  private chunkDeps(): ChunkedDeps {
    return {
      zk: this.zk,
      root: this.root,
      keyPath: (key) => this.path(key),
      fenceOp: () => {
        const t = this.opts.fence?.();
        return t && { type: 'check', path: t.path, version: t.version };
      },
      ensureCollections: (ops) => this.ensureCollections(ops),
    };
  }

  private path(key: string): string {
    checkKey(key);
    const { collection, id } = splitKey(key);
    return this.paths.key(collection, id);
  }

  /** Runs ops as one multi; returns each op's resulting version (-1 for deletes). */
  private async apply(ops: StoreOp[]): Promise<number[]> {
    const token = this.opts.fence?.();
    const data = ops.map((op) => (op.op === 'put' ? encodeData(encodeValue(op.key, op.value)) : undefined));
    const paths = ops.map((op) => this.path(op.key));
    const size = data.reduce((n, d) => n + (d?.length ?? 0) + OP_OVERHEAD_BYTES, 0);
    if (ops.length === 0) return [];
    // Every write's multi (a large commit's switch) bumps the changes znode, so watchers hear of exactly the writes that happened.
    const bump: ZkOp = { type: 'set', path: this.paths.changes, data: Buffer.alloc(0), version: -1 };
    if (await this.pending()) {
      this.pendingCache = undefined;
      await rollForward(this.chunkDeps());
    }
    if (needsChunks(size)) {
      const json = ops.map((op) => (op.op === 'put' ? encodeValue(op.key, op.value) : undefined));
      await this.ensureChanges();
      await chunkedCommit(this.chunkDeps(), ops, json, bump);
      this.pendingCache = undefined;
      return ops.map(() => -1);
    }
    await this.ensureCollections(ops);
    await this.ensureChanges();
    for (let attempt = 0; ; attempt++) {
      const plan = await this.plan(ops, paths, data);
      const zops = [...(token ? [{ type: 'check', path: token.path, version: token.version } as ZkOp] : []), ...plan.zops, bump];
      try {
        const versions = await this.zk.multi(zops);
        const byOp = ops.map(() => -1);
        plan.owner.forEach((opIndex, i) => (byOp[opIndex] = versions[i + (token ? 1 : 0)]));
        return byOp;
      } catch (err) {
        if (!(err instanceof ZkError) || err.index === undefined) throw err;
        if (token && err.index === 0) throw new FencedError(`this controller's leader epoch is over (${token.path} moved past version ${token.version}); nothing was written`);
        const op = ops[plan.owner[err.index - (token ? 1 : 0)]];
        if (!op) throw err; // the changes znode itself
        const stale = op.expectedVersion === undefined && [ZK.NO_NODE, ZK.NODE_EXISTS, ZK.BAD_VERSION].includes(err.zkCode);
        if (stale && attempt < STALE_RETRIES) continue;
        if (err.zkCode === ZK.NO_AUTH) throw new KairosError('E_UNAVAILABLE', `ZooKeeper refused access to ${this.path(op.key)}: check the store credentials`);
        if (![ZK.NO_NODE, ZK.NODE_EXISTS, ZK.BAD_VERSION].includes(err.zkCode)) throw err;
        if (op.expectedVersion === undefined) throw new KairosError('E_CONFLICT', `concurrent writers kept changing ${op.key}; retry`);
        const actual = await this.zk.exists(this.path(op.key)).catch(() => undefined);
        throw new ConflictError(op.key, op.expectedVersion, actual);
      }
    }
  }

  /**
   * Translates store ops into ZooKeeper ops. Conditional ops map directly; unconditional
   * ones need to know whether the node exists, read just before (a stale read makes the
   * multi fail, and `apply` retries).
   */
  private async plan(ops: StoreOp[], paths: string[], data: (Buffer | undefined)[]): Promise<{ zops: ZkOp[]; owner: number[] }> {
    const exists = new Map<string, boolean>();
    await Promise.all(
      ops.map(async (op, i) => {
        if (op.expectedVersion === undefined && !exists.has(paths[i])) exists.set(paths[i], (await this.zk.exists(paths[i])) !== undefined);
      }),
    );
    const zops: ZkOp[] = [];
    const owner: number[] = [];
    const add = (i: number, z: ZkOp) => (zops.push(z), owner.push(i));
    ops.forEach((op, i) => {
      const path = paths[i];
      const v = op.expectedVersion;
      if (op.op === 'put') {
        if (v === -1 || (v === undefined && !exists.get(path))) add(i, { type: 'create', path, data: data[i]! });
        else add(i, { type: 'set', path, data: data[i]!, version: v ?? -1 });
        exists.set(path, true);
      } else {
        if (v === -1) {
          // "must not exist": creating it fails exactly when it exists; then undo.
          add(i, { type: 'create', path, data: Buffer.alloc(0) });
          add(i, { type: 'remove', path, version: 0 });
        } else if (v !== undefined || exists.get(path)) {
          add(i, { type: 'remove', path, version: v ?? -1 });
        }
        exists.set(path, false);
      }
    });
    return { zops, owner };
  }

  private async ensureCollections(ops: readonly StoreOp[]): Promise<void> {
    for (const op of ops) {
      const { collection } = splitKey(op.key);
      if (this.collections.has(collection)) continue;
      await this.zk.ensure(this.paths.collection(collection));
      this.collections.add(collection);
    }
  }
}
