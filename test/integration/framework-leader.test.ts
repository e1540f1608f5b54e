/** Leader detection from ZooKeeper (`--mesos zk://...`) against a real ZooKeeper server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import zookeeper from 'node-zookeeper-client';
import { zkDetector } from '../../src/mesos/leader.js';
import { systemClock } from '../../src/ports/clock.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

describe('zkDetector against a real ZooKeeper', () => {
  let zk: TestZooKeeper;
  beforeAll(async () => {
    zk = await startZooKeeper();
  });
  afterAll(async () => {
    await zk?.destroy();
  });

  it('follows the leader as masters come and go', async () => {
    const admin = zookeeper.createClient(zk.connectString);
    await new Promise<void>((r) => {
      admin.once('connected', () => r());
      admin.connect();
    });
    const create = (path: string, data?: unknown, mode = zookeeper.CreateMode.PERSISTENT) =>
      new Promise<string>((resolve, reject) => admin.create(path, data === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(data)), mode, (e, p) => (e ? reject(e) : resolve(p))));
    await create('/mesos');
    const first = await create('/mesos/json.info_', { id: 'a', ip: 0, port: 5050, address: { hostname: '127.0.0.1', port: 5050 } }, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    await create('/mesos/json.info_', { id: 'b', ip: 0, port: 5051, address: { hostname: '127.0.0.1', port: 5051 } }, zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    const d = zkDetector(zk.connectString, '/mesos', systemClock);
    expect(await d.detect()).toBe('http://127.0.0.1:5050');
    await new Promise<void>((resolve, reject) => admin.remove(first, -1, (e) => (e ? reject(e) : resolve())));
    expect(await d.detect()).toBe('http://127.0.0.1:5051');
    await d.close();
    admin.close();
  });
});
