/**
 * Splitting a batch of independent writes into commits a store writes in one plain atomic
 * step (Store.maxCommitBytes, src/ports/store.ts). Each item is a group of ops that must
 * land together (a run and its outbox effects): a group is never split, so a group larger
 * than the limit gets a commit of its own (the store still commits it atomically).
 */
import type { StoreOp } from '../ports/store.js';

/** What an op costs besides its value in the size estimate (path, header): as the ZooKeeper store counts. */
export const OP_OVERHEAD_BYTES = 100;

/** An estimate of a group's encoded size: the JSON length of each put's value plus an overhead per op. */
export function opsBytes(ops: readonly StoreOp[]): number {
  let n = 0;
  for (const op of ops) n += OP_OVERHEAD_BYTES + (op.op === 'put' ? (JSON.stringify(op.value)?.length ?? 0) : 0);
  return n;
}

/**
 * Packs groups, in order, into consecutive batches whose estimated size stays under
 * `maxBytes` (undefined: one batch of everything, nothing is measured).
 */
export function packCommits<T>(groups: readonly T[], opsOf: (g: T) => readonly StoreOp[], maxBytes: number | undefined): T[][] {
  if (maxBytes === undefined || groups.length === 0) return groups.length ? [[...groups]] : [];
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const g of groups) {
    const n = opsBytes(opsOf(g));
    if (cur.length && bytes + n > maxBytes) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(g);
    bytes += n;
  }
  out.push(cur);
  return out;
}
