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
