/**
 * `ZookeeperStore.watch` after a failed re-arm: when the call that re-arms the watch on
 * `<root>/changes` fails (connection lost, the session lives on), the watch must be armed
 * again at the next connection, not only at the next session, or a follower hears of no
 * write until its session expires (its read view then lags by the backstop reload).
 * Judged by what a watcher in another session is told about a real writer's writes.
 */
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZkError } from '../../src/store/zk-client.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
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

async function until(what: string, ok: () => boolean, withinMs: number): Promise<void> {
  const by = Date.now() + withinMs;
  while (!ok()) {
    if (Date.now() > by) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ZookeeperStore.watch', () => {
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
});
