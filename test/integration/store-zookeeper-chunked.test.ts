/**
 * A commit larger than one ZooKeeper multi (jute.maxbuffer, ~1 MiB): written in bounded
 * pieces behind one atomic switch. Judged on a real ZooKeeper by what readers see: all of
 * it or none of it, also when the writer dies while writing pieces (the old state stays
 * in force, the pieces are collected later) or after the switch (any later writer
 * finishes it, and readers already see the new state).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreOp } from '../../src/ports/store.js';
import zookeeper from 'node-zookeeper-client';
import { ZkClient, ZkError, type ZkOp } from '../../src/store/zk-client.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

const ZK_CONNECTION_LOSS = zookeeper.Exception.CONNECTION_LOSS;
let zk: TestZooKeeper;
let n = 0;
beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => zk?.destroy());

/** 2,000 jobs of ~1 KB of random text (stored uncompressed): ~2 MB, twice what one multi may carry. */
function bigApply(count = 2000): StoreOp[] {
  const ops: StoreOp[] = Array.from({ length: count }, (_, i) => ({
    op: 'put' as const,
    key: `resources/job-${i}`,
    value: { name: `job-${i}`, blob: randomBytes(700).toString('base64') },
    expectedVersion: -1,
  }));
  ops.push({ op: 'put', key: 'meta/applied', value: { revision: 'r2' }, expectedVersion: 0 });
  return ops;
}

async function fresh(): Promise<{ url: string; store: ZookeeperStore; root: string }> {
  const root = `/chunked-${n++}`;
  const url = zk.url(root);
  const store = await ZookeeperStore.open(url);
  await store.put('meta/applied', { revision: 'r1' });
  await store.put('resources/old', { name: 'old' });
  return { url, store, root };
}

/** Makes the store's ZooKeeper client fail ("the process died") at the first call matching `when`. */
function dieWhen(store: ZookeeperStore, when: (ops: ZkOp[]) => boolean): void {
  const real = store.zk.multi.bind(store.zk);
  let dead = false;
  store.zk.multi = async (ops: ZkOp[]) => {
    if (dead || when(ops)) {
      dead = true;
      throw new Error('killed');
    }
    return real(ops);
  };
}

describe('ZookeeperStore: commits larger than one multi', () => {
  it('apply 2,000 new jobs at once, all visible together, nothing left behind', async () => {
    const { store, root } = await fresh();
    const raw = new ZkClient({ servers: zk.connectString });
    try {
      await store.commit([...bigApply(), { op: 'delete', key: 'resources/old', expectedVersion: 0 }]);
      const names = await store.list('resources');
      expect(names).toHaveLength(2000);
      expect(names).not.toContain('old');
      expect((await store.get('meta/applied'))?.value).toEqual({ revision: 'r2' });
      expect((await store.get<{ name: string }>('resources/job-1999'))?.value.name).toBe('job-1999');
      await raw.connect();
      expect((await raw.children(root))?.sort()).toEqual(['changes', 'data']); // no staging or txn left behind
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('fails whole, writing nothing, when a checked version does not match', async () => {
    const { store } = await fresh();
    try {
      const ops = bigApply();
      ops[ops.length - 1] = { op: 'put', key: 'meta/applied', value: { revision: 'r2' }, expectedVersion: 7 };
      await expect(store.commit(ops)).rejects.toMatchObject({ code: 'E_CONFLICT' });
      expect(await store.list('resources')).toEqual(['old']);
    } finally {
      await store.close();
    }
  });

  it('a writer dying while writing pieces leaves the old state in force; the pieces are collected', async () => {
    const { url, store, root } = await fresh();
    let pieces = 0;
    dieWhen(store, (ops) => ops.some((o) => o.path.includes('/staging/')) && ++pieces === 3);
    await expect(store.commit(bigApply())).rejects.toThrow('killed');
    const other = await ZookeeperStore.open(url);
    const raw = new ZkClient({ servers: zk.connectString });
    try {
      expect(await other.list('resources')).toEqual(['old']);
      expect((await other.get('meta/applied'))?.value).toEqual({ revision: 'r1' });
      await other.commit(bigApply(1500));
      expect(await other.list('resources')).toHaveLength(1501);
      await raw.connect();
      expect((await raw.children(root))?.sort()).toEqual(['changes', 'data']); // no staging or txn left behind
    } finally {
      await raw.close();
      await other.close();
      await store.close();
    }
  });

  it('a writer dying after the switch: readers see the new state at once, the next writer finishes it', async () => {
    const { url, store, root } = await fresh();
    let rolled = 0;
    dieWhen(store, (ops) => ops.some((o) => o.path.includes('/data/resources/job-')) && ++rolled === 2);
    await expect(store.commit([...bigApply(), { op: 'delete', key: 'resources/old', expectedVersion: 0 }])).rejects.toThrow('killed');
    const reader = await ZookeeperStore.open(url);
    const raw = new ZkClient({ servers: zk.connectString });
    try {
      const seen = await reader.list('resources');
      expect(seen).toHaveLength(2000);
      expect(seen).not.toContain('old');
      expect((await reader.get('meta/applied'))?.value).toEqual({ revision: 'r2' });
      expect(await reader.get('resources/old')).toBeUndefined();
      await reader.put('runs/x', { ok: true });
      await raw.connect();
      expect((await raw.children(root))?.sort()).toEqual(['changes', 'data']); // no staging or txn left behind
      expect((await raw.children(`${root}/data/resources`))?.length).toBe(2000);
    } finally {
      await raw.close();
      await reader.close();
      await store.close();
    }
  });

  it('tells watchers in the switch itself, so no separate write after the commit can report it failed', async () => {
    const { url, store, root } = await fresh();
    const reader = await ZookeeperStore.open(url);
    let changes = 0;
    const unwatch = reader.watch(() => changes++);
    // Every write to the changes znode outside a multi fails as a lost connection would.
    const realSet = store.zk.set.bind(store.zk);
    store.zk.set = async (path: string, data: Buffer, version: number) => {
      if (path === `${root}/changes`) throw new ZkError(ZK_CONNECTION_LOSS, 'connection lost (test)');
      return realSet(path, data, version);
    };
    try {
      await store.commit(bigApply());
      expect(await reader.list('resources')).toHaveLength(2001);
      expect((await reader.get('meta/applied'))?.value).toEqual({ revision: 'r2' });
      const by = Date.now() + 10_000;
      while (changes === 0 && Date.now() < by) await new Promise((r) => setTimeout(r, 50));
      expect(changes).toBeGreaterThan(0);
    } finally {
      unwatch();
      await reader.close();
      await store.close();
    }
  });
});
