/**
 * `--zk-session-timeout` reaches the ZooKeeper session of `kairos serve`'s store and
 * election: it is what bounds failover after a leader dies (BENCHMARKS.md, failover).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import { silentLogger } from '../../src/ports/logger.js';
import { systemClock } from '../../src/ports/clock.js';
import type { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { openStore } from '../../src/wiring.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

let zk: TestZooKeeper;
beforeAll(async () => {
  zk = await startZooKeeper({ tickMs: 250 });
});
afterAll(async () => zk?.destroy());

describe('--zk-session-timeout', () => {
  it('sets the negotiated session timeout of the store; the default stays 10 s', async () => {
    for (const [flag, expected] of [['4s', 4000], [undefined, 10_000]] as const) {
      const cfg = compileServeConfig({ store: zk.url('/session-flag'), zkSessionTimeout: flag }, {}, '/repo');
      const held = await openStore(cfg.store, 'http://127.0.0.1:1', systemClock, silentLogger, cfg.zkSessionTimeoutMs);
      try {
        expect((held.store as ZookeeperStore).zk.sessionTimeoutMs()).toBe(expected);
      } finally {
        await held.close();
      }
    }
  });
});
