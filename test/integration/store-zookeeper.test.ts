import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { ZkClient } from '../../src/store/zk-client.js';
import { storeContract } from '../support/store-contract.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

let zk: TestZooKeeper;
let n = 0;
beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => zk?.destroy());

storeContract(
  'ZookeeperStore',
  async () => {
    const url = zk.url(`/contract-${n++}`);
    return { store: await ZookeeperStore.open(url), reopen: () => ZookeeperStore.open(url) };
  },
  { persistent: true },
);

describe('ZookeeperStore specifics', () => {
  it('protects data with digest ACLs when credentials are given', async () => {
    const path = `/acl-${n++}`;
    const owner = await ZookeeperStore.open(zk.url(path).replace('zk://', 'zk://kairos:s3cret@'));
    const stranger = new ZkClient({ servers: zk.connectString });
    try {
      await owner.put('jobs/a', { secret: true });
      expect((await owner.get('jobs/a'))?.value).toEqual({ secret: true });
      await expect(ZookeeperStore.open(zk.url(path))).rejects.toThrow(/not authorised/);
      await stranger.connect();
      await expect(stranger.get(`${path}/data/jobs/a`)).rejects.toThrow(/not authorised/);
      await expect(stranger.set(`${path}/data/jobs/a`, Buffer.from('1'), -1)).rejects.toThrow(/not authorised/);
      const wrong = await ZookeeperStore.open(zk.url(path).replace('zk://', 'zk://kairos:guess@')).catch((e: Error) => e);
      expect(wrong).toBeInstanceOf(Error);
    } finally {
      await owner.close();
      await stranger.close();
    }
  });

  it('stores large values compactly, commits large transactions in pieces and refuses values over the limit', async () => {
    const store = await ZookeeperStore.open(zk.url(`/size-${n++}`));
    const raw = new ZkClient({ servers: zk.connectString });
    try {
      const value = { output: 'the same log line again\n'.repeat(10_000) };
      await store.put('runs/big', value);
      expect((await store.get('runs/big'))?.value).toEqual(value);
      await raw.connect();
      const node = await raw.get(`/size-${n - 1}/data/runs/big`);
      expect(node!.data.length).toBeLessThan(JSON.stringify(value).length / 50);
      // Base64 of random bytes deflates to about 3/4: 7 × ~150 kB is over ZooKeeper's 1 MiB,
      // so it goes in pieces behind one switch (store-zookeeper-chunked.test.ts); one value
      // over the store's limit is refused whole.
      const ops = Array.from({ length: 7 }, (_, i) => ({ op: 'put' as const, key: `runs/r${i}`, value: randomBytes(150_000).toString('base64') }));
      await store.commit(ops);
      expect(await store.list('runs')).toHaveLength(8);
      await expect(store.commit([{ op: 'put', key: 'runs/huge', value: randomBytes(600_000).toString('base64') }])).rejects.toMatchObject({ code: 'E_INVALID' });
      expect(await store.list('runs')).toHaveLength(8);
    } finally {
      await raw.close();
      await store.close();
    }
  });

  it('recovers its session after ZooKeeper restarts', async () => {
    const store = await ZookeeperStore.open(zk.url(`/restart-${n++}`), { sessionTimeoutMs: 6_000 });
    try {
      await store.put('jobs/a', 1);
      const back = new Promise<void>((r) => store.zk.on('connected', () => r()));
      await zk.stop();
      // Handled at once: with ZooKeeper down past the call deadline it settles before the restart.
      const pending = store.put('jobs/a', 2, 0).catch((e: { code?: string }) => e.code);
      await zk.start();
      await back;
      expect(await pending).toSatisfy((x: unknown) => x === 1 || x === 'E_UNAVAILABLE');
      const cur = (await store.get<number>('jobs/a'))!;
      expect(await store.put('jobs/a', 3, cur.version)).toBe(cur.version + 1);
    } finally {
      await store.close();
    }
  });

  it("tells a watcher in another session about every write, large commits included, and stops when asked", async () => {
    const url = zk.url(`/watch-${n++}`);
    const writer = await ZookeeperStore.open(url);
    const follower = await ZookeeperStore.open(url);
    let seen = 0;
    const changed = () => new Promise<void>((resolve) => (wake = resolve));
    let wake = () => {};
    const unwatch = follower.watch(() => {
      seen++;
      wake();
    });
    try {
      // The watch is armed asynchronously; a write after it is armed must be seen.
      await new Promise((r) => setTimeout(r, 200));
      let next = changed();
      await writer.put('runs/a', 1);
      await next;
      expect((await follower.get('runs/a'))?.value).toBe(1); // readable once notified
      next = changed();
      await writer.commit([{ op: 'put', key: 'runs/b', value: 2 }, { op: 'delete', key: 'runs/a' }]);
      await next;
      expect(await follower.list('runs')).toEqual(['b']);
      next = changed();
      await writer.commit(Array.from({ length: 8 }, (_, i) => ({ op: 'put' as const, key: `runs/big-${i}`, value: randomBytes(150_000).toString('base64') })));
      await next;
      expect(await follower.list('runs')).toHaveLength(9);
      unwatch();
      const before = seen;
      await writer.put('runs/c', 3);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toBe(before);
    } finally {
      unwatch();
      await writer.close();
      await follower.close();
    }
  });

  it('never lets a call wait forever: while ZooKeeper stays down, a call fails E_UNAVAILABLE after twice the session timeout', async () => {
    const client = new ZkClient({ servers: zk.connectString, sessionTimeoutMs: 2_000 });
    await client.connect();
    const negotiated = client.sessionTimeoutMs();
    try {
      await zk.stop();
      const t0 = Date.now();
      const err = await client.get('/zookeeper').then(
        () => undefined,
        (e: { code?: string; message?: string }) => e,
      );
      expect(err?.code).toBe('E_UNAVAILABLE');
      expect(err?.message).toMatch(/no answer within \d+ ms/);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(Math.max(2 * negotiated, 2_000) - 50);
    } finally {
      await zk.start();
      await client.close();
    }
  });
});
