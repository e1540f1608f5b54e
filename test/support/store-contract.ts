/**
 * The one contract every Store adapter passes (memory, file, ZooKeeper): the semantics of
 * src/ports/store.ts written as tests. Call `storeContract(name, makeStore)` inside a test
 * file; `makeStore` gives a fresh, empty store and, for persistent stores, a way to open
 * the same data again after `close()`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, KairosError } from '../../src/core/errors.js';
import type { Store } from '../../src/ports/store.js';

/** A fresh empty store; `reopen` (persistent stores only) opens the same data anew. */
export interface StoreFixture {
  store: Store;
  reopen?: () => Promise<Store>;
}

/** Registers the Store contract tests for one adapter; `persistent` adds the reopen test. */
export function storeContract(name: string, makeStore: () => Promise<StoreFixture>, opts: { persistent?: boolean } = {}): void {
  describe(`Store contract: ${name}`, () => {
    const open: Store[] = [];
    const fresh = async (): Promise<StoreFixture> => {
      const f = await makeStore();
      open.push(f.store);
      return f;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close().catch(() => undefined);
    });

    it('reads nothing for a missing key and lists an empty collection', async () => {
      const { store } = await fresh();
      expect(await store.get('jobs/a')).toBeUndefined();
      expect(await store.list('jobs')).toEqual([]);
    });

    it('creates at version 0 and adds one per write', async () => {
      const { store } = await fresh();
      expect(await store.put('jobs/a', { n: 1 })).toBe(0);
      expect(await store.put('jobs/a', { n: 2 })).toBe(1);
      expect(await store.put('jobs/a', { n: 3 }, 1)).toBe(2);
      expect(await store.get('jobs/a')).toEqual({ value: { n: 3 }, version: 2 });
    });

    it('refuses a stale expected version and keeps the value', async () => {
      const { store } = await fresh();
      await store.put('jobs/a', 'one');
      await store.put('jobs/a', 'two');
      const err = await store.put('jobs/a', 'stale', 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as KairosError).code).toBe('E_CONFLICT');
      expect(await store.get('jobs/a')).toEqual({ value: 'two', version: 1 });
    });

    it('treats expected version -1 as create-if-absent', async () => {
      const { store } = await fresh();
      expect(await store.put('runs/r', 1, -1)).toBe(0);
      await expect(store.put('runs/r', 2, -1)).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get('runs/r'))?.value).toBe(1);
    });

    it('refuses an expected version n >= 0 for a missing key', async () => {
      const { store } = await fresh();
      await expect(store.put('jobs/ghost', 1, 0)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get('jobs/ghost')).toBeUndefined();
    });

    it('deletes: missing is a no-op, versions are checked, re-creation starts at 0', async () => {
      const { store } = await fresh();
      await store.delete('jobs/none');
      await expect(store.delete('jobs/none', 0)).rejects.toBeInstanceOf(ConflictError);
      await store.put('jobs/a', 1);
      await store.put('jobs/a', 2);
      await expect(store.delete('jobs/a', 0)).rejects.toBeInstanceOf(ConflictError);
      expect((await store.get('jobs/a'))?.version).toBe(1);
      await store.delete('jobs/a', 1);
      expect(await store.get('jobs/a')).toBeUndefined();
      expect(await store.put('jobs/a', 3)).toBe(0);
    });

    it('lists ids of exactly one collection, with any characters in ids', async () => {
      const { store } = await fresh();
      const ids = [
        'nightly@2026-03-08T07:00:00.000Z',
        'transcode@2026-03-08T07:00:00.000Z/split',
        'a/b/c',
        '..',
        '.',
        '%2F',
        'zone ü 日本',
        'with\\backslash',
      ];
      for (const id of ids) await store.put(`runs/${id}`, id);
      await store.put('run/x', 0);
      await store.put('runsx/y', 0);
      expect((await store.list('runs')).sort()).toEqual([...ids].sort());
      for (const id of ids) expect((await store.get(`runs/${id}`))?.value).toBe(id);
      expect(await store.list('run')).toEqual(['x']);
    });

    it('round-trips JSON values and hands out copies', async () => {
      const { store } = await fresh();
      const value = { s: 'ü"\n', n: -1.5, b: true, z: null, a: [1, [2, { c: 'd' }]], o: {} };
      await store.put('jobs/v', value);
      const got = await store.get<typeof value>('jobs/v');
      expect(got?.value).toEqual(value);
      got!.value.a.push(9);
      expect((await store.get('jobs/v'))?.value).toEqual(value);
      for (const scalar of [0, '', false, null, 'text', 42]) {
        await store.put('jobs/s', scalar);
        expect((await store.get('jobs/s'))?.value).toEqual(scalar);
      }
    });

    it('refuses malformed keys and unencodable or oversized values', async () => {
      const { store } = await fresh();
      for (const key of ['nocollection', '/id', 'jobs/']) {
        await expect(store.put(key, 1)).rejects.toMatchObject({ code: 'E_INVALID' });
      }
      await expect(store.put('jobs/u', undefined)).rejects.toMatchObject({ code: 'E_INVALID' });
      await expect(store.put('jobs/big', 'x'.repeat(600 * 1024))).rejects.toMatchObject({ code: 'E_INVALID' });
      expect(await store.get('jobs/big')).toBeUndefined();
    });

    it('commits all ops or none', async () => {
      const { store } = await fresh();
      await store.put('jobs/a', 'a0');
      await store.put('jobs/gone', 1);
      const bad = store.commit([
        { op: 'put', key: 'jobs/a', value: 'a1', expectedVersion: 0 },
        { op: 'put', key: 'runs/new', value: 'n', expectedVersion: -1 },
        { op: 'delete', key: 'jobs/gone' },
        { op: 'put', key: 'jobs/b', value: 'b', expectedVersion: 3 },
      ]);
      await expect(bad).rejects.toBeInstanceOf(ConflictError);
      expect(await store.get('jobs/a')).toEqual({ value: 'a0', version: 0 });
      expect(await store.get('runs/new')).toBeUndefined();
      expect((await store.get('jobs/gone'))?.value).toBe(1);

      await store.commit([
        { op: 'put', key: 'jobs/a', value: 'a1', expectedVersion: 0 },
        { op: 'put', key: 'jobs/a', value: 'a2', expectedVersion: 1 },
        { op: 'put', key: 'runs/new', value: 'n', expectedVersion: -1 },
        { op: 'delete', key: 'jobs/gone', expectedVersion: 0 },
        { op: 'delete', key: 'jobs/never' },
      ]);
      expect(await store.get('jobs/a')).toEqual({ value: 'a2', version: 2 });
      expect((await store.get('runs/new'))?.version).toBe(0);
      expect(await store.get('jobs/gone')).toBeUndefined();
      await store.commit([]);
    });

    it('lets exactly one of many racing create-if-absent writes win', async () => {
      const { store } = await fresh();
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => store.put('runs/once', i, -1)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    });

    it('loses no update when racing writers retry on conflict', async () => {
      const { store } = await fresh();
      await store.put('counters/c', 0);
      const bump = async () => {
        for (;;) {
          const cur = (await store.get<number>('counters/c'))!;
          try {
            return await store.put('counters/c', cur.value + 1, cur.version);
          } catch (err) {
            if (!(err instanceof ConflictError)) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, bump));
      expect(await store.get('counters/c')).toEqual({ value: 8, version: 8 });
    });

    if (!opts.persistent) return;
    it('keeps everything across close and reopen', async () => {
      const { store, reopen } = await fresh();
      if (!reopen) throw new Error(`${name}: a persistent store's fixture must provide reopen()`);
      await store.put('jobs/a', { x: 1 });
      await store.put('jobs/a', { x: 2 });
      await store.put('runs/a@1/t', 't');
      await store.put('runs/gone', 1);
      await store.delete('runs/gone');
      await store.close();
      const again = await reopen();
      open.push(again);
      expect(await again.get('jobs/a')).toEqual({ value: { x: 2 }, version: 1 });
      expect(await again.list('runs')).toEqual(['a@1/t']);
      expect(await again.put('jobs/a', { x: 3 }, 1)).toBe(2);
    });
  });
}
