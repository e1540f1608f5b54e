/**
 * What a ZooKeeper store reader relies on watches for, after connection trouble:
 * - `watch` after a failed re-arm: when the call that re-arms the watch on `<root>/changes`
 *   fails (connection lost, the session lives on), it is armed again at the next connection,
 *   not only at the next session, or a follower hears of no write until its session expires;
 * - the cached switched-but-not-rolled large commit is forgotten with an expired session,
 *   whose watch would have cleared it, or the reader overlays it on newer data for good.
 * Judged by what a reader in another session is told and reads of a real writer's writes.
 */
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkError } from '../../src/store/zk-client.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { until } from '../support/until.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

let zk: TestZooKeeper;
let proxy: TcpProxy;
beforeAll(async () => {
  zk = await startZooKeeper();
  proxy = await startTcpProxy(zk.port);
}, 90_000);
afterAll(async () => {
  await proxy?.close();
  await zk?.destroy();
});


describe('ZookeeperStore reads after connection trouble', () => {
  it('re-arms at the next connection after a failed re-arm, so the next write is heard', async () => {
    const root = '/watch-rearm';
    const writer = await ZookeeperStore.open(zk.url(root));
    const follower = await ZookeeperStore.open(`zk://127.0.0.1:${proxy.port}${root}?sessionTimeoutMs=6000`);
    // The second watched `exists` on the changes znode (the re-arm after the first write) fails
    // as a lost connection would; every other call goes to ZooKeeper.
    const realExists = follower.zk.exists.bind(follower.zk);
    let watchedCalls = 0;
    follower.zk.exists = (path: string, watch?: () => void) => {
      if (watch && path === `${root}/changes` && ++watchedCalls === 2) return Promise.reject(new ZkError(zookeeper.Exception.CONNECTION_LOSS, 'connection lost (test)'));
      return realExists(path, watch);
    };
    let heard = 0;
    const unwatch = follower.watch(() => heard++);
    try {
      await until('the watch armed', () => watchedCalls === 1, 5_000);
      await new Promise((r) => setTimeout(r, 200)); // the exists call has been answered
      await writer.put('runs/a', 1);
      await until('the first write heard', () => heard === 1 && watchedCalls === 2, 5_000);
      proxy.cut(); // the connection is lost and comes back: same session
      await until('reconnected', () => follower.zk.connected(), 10_000);
      await new Promise((r) => setTimeout(r, 300));
      const before = heard;
      await writer.put('runs/b', 2);
      await until('the write after the reconnection heard', () => heard > before, 5_000);
    } finally {
      unwatch();
      await follower.close();
      await writer.close();
    }
  }, 60_000);

  it('forgets a cached switched-but-not-rolled commit when its session expires (the watch that would clear it died with it)', async () => {
    const root = '/pending-expiry';
    const url = zk.url(root);
    const writer = await ZookeeperStore.open(url);
    await writer.put('meta/applied', { revision: 'r1' });
    // A large commit whose writer dies after the switch: readers overlay it until someone rolls it.
    const realMulti = writer.zk.multi.bind(writer.zk);
    writer.zk.multi = async (ops) => {
      if (ops.some((o) => o.path.includes('/data/resources/'))) throw new Error('killed');
      return realMulti(ops);
    };
    const big = Array.from({ length: 1200 }, (_, i) => ({ op: 'put' as const, key: `resources/job-${i}`, value: { blob: 'x'.repeat(900) + i } }));
    await expect(writer.commit([...big, { op: 'put', key: 'meta/applied', value: { revision: 'r2' } }])).rejects.toThrow('killed');
    const reader = await ZookeeperStore.open(`zk://127.0.0.1:${proxy.port}${root}?sessionTimeoutMs=1000`);
    const next = await ZookeeperStore.open(url);
    try {
      expect((await reader.get('meta/applied'))?.value).toEqual({ revision: 'r2' }); // the overlay, now cached
      const expired = new Promise<void>((resolve) => reader.zk.on('expired', () => resolve()));
      proxy.swallow(); // the reader hears nothing until its session has expired
      await next.put('meta/applied', { revision: 'r3' }); // rolls the commit forward first, then writes
      await new Promise((r) => setTimeout(r, 3 * reader.zk.sessionTimeoutMs()));
      proxy.forward();
      await expired;
      await until('a new session', () => reader.zk.connected(), 10_000);
      expect((await reader.get('meta/applied'))?.value).toEqual({ revision: 'r3' });
    } finally {
      proxy.forward();
      await next.close();
      await reader.close();
      await writer.close();
    }
  }, 60_000);
});
