/**
 * Wires the HA pieces of one controller onto one ZooKeeper session: the store (fenced by
 * the leader's epoch) and the election. This is what `kairos serve --store zk://...` builds;
 * the single-node default uses a FileStore with `soloLeadership` instead.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { ZkClient } from '../store/zk-client.js';
import { parseZkUrl, zkPaths } from '../store/zk-layout.js';
import { ZookeeperStore } from '../store/zookeeper-store.js';
import { ZkElection } from './election.js';

/** A controller's HA handles; `close()` leaves the election and ends the session. */
export interface ZookeeperHa {
  /** Reads from anyone; writes only while leading (else FencedError). */
  store: ZookeeperStore;
  leadership: ZkElection;
  zk: ZkClient;
  close(): Promise<void>;
}

/**
 * Connects to `url`, prepares the layout and joins the election as `selfUrl` (the API URL
 * followers forward writes to, so listen first). Resolves once the candidacy is registered.
 */
export async function openZookeeperHa(
  url: string,
  selfUrl: string,
  o: { clock?: Clock; logger?: Logger; sessionTimeoutMs?: number } = {},
): Promise<ZookeeperHa> {
  const { servers, root, auth, sessionTimeoutMs } = parseZkUrl(url);
  const zk = new ZkClient({ servers, auth, clock: o.clock, logger: o.logger, sessionTimeoutMs: o.sessionTimeoutMs ?? sessionTimeoutMs });
  const leadership = new ZkElection({ zk, root, selfUrl, clock: o.clock, logger: o.logger });
  try {
    await zk.connect();
    await zk.ensure(zkPaths(root).data);
    await leadership.start();
  } catch (err) {
    await zk.close();
    throw err;
  }
  const store = new ZookeeperStore(zk, root, { fence: () => leadership.fence() });
  return {
    store,
    leadership,
    zk,
    async close() {
      await leadership.stop();
      await zk.close();
    },
  };
}
