import { describe, expect, it } from 'vitest';
import type { StoreOp } from '../../../src/ports/store.js';
import { OP_OVERHEAD_BYTES, opsBytes, packCommits } from '../../../src/store/commit-batches.js';

const put = (key: string, bytes: number): StoreOp => ({ op: 'put', key, value: 'x'.repeat(bytes - 2) }); // JSON adds the quotes

describe('packCommits', () => {
  it('keeps everything in one batch when the store has no limit', () => {
    const groups = [[put('a/1', 10)], [put('a/2', 10)]];
    expect(packCommits(groups, (g) => g, undefined)).toEqual([groups]);
    expect(packCommits([], (g: StoreOp[]) => g, undefined)).toEqual([]);
  });

  it('splits in order at the limit, never inside a group, and gives an oversized group a batch of its own', () => {
    const size = 100 + OP_OVERHEAD_BYTES;
    const g = (n: number, ops = 1) => Array.from({ length: ops }, (_, i) => put(`a/${n}.${i}`, 100));
    const groups = [g(1), g(2), g(3, 2), g(4, 5), g(5)];
    expect(opsBytes(groups[2])).toBe(2 * size);
    const packed = packCommits(groups, (x) => x, 3 * size);
    expect(packed).toEqual([[groups[0], groups[1]], [groups[2]], [groups[3]], [groups[4]]]);
    expect(packed.flat()).toEqual(groups);
  });

  it('counts a delete by its overhead only', () => {
    expect(opsBytes([{ op: 'delete', key: 'a/1' }])).toBe(OP_OVERHEAD_BYTES);
  });
});
