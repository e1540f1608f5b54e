/**
 * Commits larger than one ZooKeeper multi (packets are capped by `jute.maxbuffer`, 1 MiB
 * by default), e.g. applying 10,000 new jobs, written in bounded pieces behind one atomic
 * switch:
 *
 *   1. stage:  the ops go to `<root>/staging/<id>/<n>` in pieces of at most PIECE_BYTES.
 *              Nothing reads staging: a writer dying here leaves the old state in force,
 *              and its pieces are collected by the next large commit.
 *   2. switch: one multi checks the writer's fence and the ops' expected versions and
 *              creates `<root>/txn` = {id, pieces}. From this instant the new state is in
 *              force: readers overlay the staged ops on the data (`Pending`).
 *   3. roll:   the staged ops are applied to the data znodes in bounded multis (idempotent,
 *              fenced), then `<root>/txn` and the pieces are removed. A writer dying here
 *              leaves `<root>/txn`; the next write (by any process) finishes the roll first.
 *
 * Expected versions are checked in the switch while the checks fit in one multi; beyond
 * that they were read just before it, which is exact because ZooKeeper writes are fenced
 * by the leader epoch (one writer) and applies are serialised by `meta/applied`.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, FencedError, KairosError } from '../core/errors.js';
import { splitKey, type StoreOp } from '../ports/store.js';
import { ZK, ZkError, type ZkClient, type ZkOp } from './zk-client.js';
import { OP_OVERHEAD_BYTES } from './commit-batches.js';
import { decodeData, encodeData, unescapeName } from './zk-layout.js';

/** Largest payload of one multi we send; ZooKeeper refuses packets over 1 MiB. */
export const MAX_MULTI_BYTES = 900 * 1024;
/** Bytes of staged ops per piece. */
const PIECE_BYTES = 512 * 1024;

/** One staged op: the key and its JSON value, or a delete. */
export interface StagedOp {
  key: string;
  json?: string;
}

/** A committed transaction not yet rolled forward: the new value (or undefined: deleted) by key. */
export type Pending = Map<string, string | undefined>;

/** Paths and the fence check the chunked commit needs from its store. */
export interface ChunkedDeps {
  zk: ZkClient;
  root: string;
  /** The znode path of a key. */
  keyPath(key: string): string;
  /** A `check` op of the writer's fence, when writes are fenced. */
  fenceOp(): CheckOp | undefined;
  /** Creates missing collection znodes. */
  ensureCollections(ops: readonly StoreOp[]): Promise<void>;
}

type CheckOp = Extract<ZkOp, { type: 'check' }>;

/** Whether ops of this many encoded bytes need the chunked path. */
export function needsChunks(bytes: number): boolean {
  return bytes > MAX_MULTI_BYTES;
}

/**
 * Commits `ops` (already validated, values encoded in `json`) in pieces behind one switch.
 * `alsoInSwitch` (the store's change notification) is written by the switch itself, so it
 * happens exactly when the commit does, and cannot fail on its own after it.
 */
export async function chunkedCommit(d: ChunkedDeps, ops: readonly StoreOp[], json: (string | undefined)[], alsoInSwitch?: ZkOp): Promise<void> {
  await rollForward(d);
  await collectStaging(d, undefined);
  await d.ensureCollections(ops);
  const checks = await readChecks(d, ops);
  const id = randomUUID();
  const dir = `${d.root}/staging/${id}`;
  await d.zk.ensure(dir);
  const staged: StagedOp[] = ops.map((op, i) => (op.op === 'put' ? { key: op.key, json: json[i] } : { key: op.key }));
  const pieces = piecesOf(staged);
  for (let i = 0; i < pieces.length; i++) await d.zk.multi([{ type: 'create', path: `${dir}/${i}`, data: pieces[i] }]);
  const fence = d.fenceOp();
  const pointer = encodeData(JSON.stringify({ id, pieces: pieces.length }));
  try {
    await d.zk.multi([...(fence ? [fence] : []), ...checks, { type: 'create', path: `${d.root}/txn`, data: pointer }, ...(alsoInSwitch ? [alsoInSwitch] : [])]);
  } catch (err) {
    await removeTree(d.zk, dir).catch(() => undefined);
    if (fence && err instanceof ZkError && err.index === 0) throw new FencedError(`this controller's leader epoch is over (${fence.path} moved past version ${fence.version}); nothing was written`);
    if (err instanceof ZkError && err.index !== undefined && err.index >= (fence ? 1 : 0) && err.index < checks.length + (fence ? 1 : 0)) {
      const c = checks[err.index - (fence ? 1 : 0)];
      throw new ConflictError(unescapeKey(d, c.path), c.version, await d.zk.exists(c.path).catch(() => undefined));
    }
    throw err;
  }
  await rollForward(d);
}

/** Expected versions read now; those that fit also become `check` ops of the switch. */
async function readChecks(d: ChunkedDeps, ops: readonly StoreOp[]): Promise<CheckOp[]> {
  const checks: CheckOp[] = [];
  let budget = MAX_MULTI_BYTES / 2;
  const conditional = ops.filter((op) => op.expectedVersion !== undefined);
  const versions = await Promise.all(conditional.map((op) => d.zk.exists(d.keyPath(op.key))));
  for (const [i, op] of conditional.entries()) {
    if (op.expectedVersion === undefined) continue;
    const path = d.keyPath(op.key);
    const actual = versions[i];
    const ok = op.expectedVersion === -1 ? actual === undefined : actual === op.expectedVersion;
    if (!ok) throw new ConflictError(op.key, op.expectedVersion, actual);
    if (op.expectedVersion >= 0 && (budget -= path.length + OP_OVERHEAD_BYTES) > 0) checks.push({ type: 'check', path, version: op.expectedVersion });
  }
  return checks;
}

/** Splits staged ops into encoded pieces of at most PIECE_BYTES of JSON each. */
function piecesOf(staged: StagedOp[]): Buffer[] {
  const out: Buffer[] = [];
  let cur: StagedOp[] = [];
  let bytes = 0;
  for (const s of staged) {
    const n = s.key.length + (s.json?.length ?? 0) + 16;
    if (cur.length && bytes + n > PIECE_BYTES) {
      out.push(encodeData(JSON.stringify(cur)));
      cur = [];
      bytes = 0;
    }
    cur.push(s);
    bytes += n;
  }
  if (cur.length) out.push(encodeData(JSON.stringify(cur)));
  return out;
}

/** The committed-but-not-rolled transaction, if any (readers overlay it on the data). */
export async function readPending(zk: ZkClient, root: string, watch?: () => void): Promise<Pending | undefined> {
  if ((await zk.exists(`${root}/txn`, watch)) === undefined) return undefined;
  const got = await zk.get(`${root}/txn`);
  if (!got) return undefined;
  const { id, pieces } = JSON.parse(decodeData(got.data)) as { id: string; pieces: number };
  const pending: Pending = new Map();
  for (let i = 0; i < pieces; i++) {
    const piece = await zk.get(`${root}/staging/${id}/${i}`);
    if (!piece) throw new KairosError('E_UNAVAILABLE', `ZooKeeper store ${root}: piece ${i} of committed transaction ${id} is missing`);
    for (const s of JSON.parse(decodeData(piece.data)) as StagedOp[]) pending.set(s.key, s.json);
  }
  return pending;
}

/** Applies a committed transaction to the data znodes (idempotent, fenced), then removes it. */
export async function rollForward(d: ChunkedDeps): Promise<void> {
  const got = await d.zk.get(`${d.root}/txn`);
  if (!got) return;
  const { id } = JSON.parse(decodeData(got.data)) as { id: string };
  const pending = await readPending(d.zk, d.root);
  if (!pending) return;
  await d.ensureCollections([...pending.keys()].map((key) => ({ op: 'delete', key })));
  const fence = d.fenceOp();
  let batch: ZkOp[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length) await d.zk.multi([...(fence ? [fence] : []), ...batch]);
    batch = [];
    bytes = 0;
  };
  const entries = [...pending];
  const exists = await Promise.all(entries.map(([key]) => d.zk.exists(d.keyPath(key))));
  for (let i = 0; i < entries.length; i++) {
    const [key, json] = entries[i];
    const path = d.keyPath(key);
    const data = json === undefined ? undefined : encodeData(json);
    if (data) batch.push(exists[i] === undefined ? { type: 'create', path, data } : { type: 'set', path, data, version: -1 });
    else if (exists[i] !== undefined) batch.push({ type: 'remove', path, version: -1 });
    else continue;
    bytes += (data?.length ?? 0) + OP_OVERHEAD_BYTES;
    if (bytes > MAX_MULTI_BYTES / 2) await flush();
  }
  await flush();
  await d.zk.multi([...(fence ? [fence] : []), { type: 'remove', path: `${d.root}/txn`, version: got.version }]).catch((err: unknown) => {
    if (!(err instanceof ZkError && err.zkCode === ZK.NO_NODE)) throw err;
  });
  await removeTree(d.zk, `${d.root}/staging/${id}`);
  await collectStaging(d, undefined);
}

/** Removes staged pieces no committed transaction refers to (writers that died while staging). */
async function collectStaging(d: ChunkedDeps, keep: string | undefined): Promise<void> {
  const dirs = (await d.zk.children(`${d.root}/staging`)) ?? [];
  for (const dir of dirs) if (dir !== keep) await removeTree(d.zk, `${d.root}/staging/${dir}`);
  if (dirs.length || (await d.zk.exists(`${d.root}/staging`)) !== undefined) await d.zk.remove(`${d.root}/staging`).catch(() => undefined);
}

async function removeTree(zk: ZkClient, path: string): Promise<void> {
  for (const child of (await zk.children(path)) ?? []) await removeTree(zk, `${path}/${child}`);
  await zk.remove(path).catch((err: unknown) => {
    if (!(err instanceof ZkError && err.zkCode === ZK.NO_NODE)) throw err;
  });
}

function unescapeKey(d: ChunkedDeps, path: string): string {
  const [collection, id] = path.slice(`${d.root}/data/`.length).split('/');
  return `${unescapeName(collection)}/${unescapeName(id)}`;
}

/** Store keys of `collection` after `pending`: the data's ids plus staged puts, minus staged deletes. */
export function overlayList(ids: string[], collection: string, pending: Pending): string[] {
  const out = new Set(ids);
  for (const [key, json] of pending) {
    const k = splitKey(key);
    if (k.collection !== collection) continue;
    if (json === undefined) out.delete(k.id);
    else out.add(k.id);
  }
  return [...out].sort();
}

