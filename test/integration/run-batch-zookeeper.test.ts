/**
 * The run ledger's batched writes (RunLedger.writeMany) on a real ZooKeeper: a batch larger
 * than one multi is split by size into several plain multis (never the staged path of
 * zk-chunked.ts), every run lands with the version the mirror then holds (so the next
 * compare-and-set succeeds), and a run changed by another session makes only its commit
 * fall back to one write per run. Judged by what a second session reads back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLedger } from '../../src/controller/run-ledger.js';
import type { Run } from '../../src/core/run.js';
import type { StoreOp } from '../../src/ports/store.js';
import { ZkClient, type ZkOp } from '../../src/store/zk-client.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

let zk: TestZooKeeper;
beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(async () => zk?.destroy());

const COUNT = 800;

/** A pending run of about 1 KB: 800 of them are twice what one batch commit may carry. */
function run(i: number): Run {
  const id = `job-${i}@2026-03-08T07:00:00.000Z`;
  return { id, job: `job-${i}`, trigger: 'schedule', scheduledAt: 0, revision: 'r'.repeat(900), state: 'pending', attempts: [{ n: 1, taskId: `kairos.${id}.1`, intentAt: 0, notBefore: 0 }], createdAt: 0 };
}

describe('RunLedger.writeMany on ZooKeeper', () => {
  it('creates and then places 800 runs in a few plain multis each, every version as the mirror holds it, and falls back only where a run changed', async () => {
    const url = zk.url('/run-batch');
    const store = await ZookeeperStore.open(url);
    const other = await ZookeeperStore.open(url);
    const raw = new ZkClient({ servers: zk.connectString });
    const multis: ZkOp[][] = [];
    const real = store.zk.multi.bind(store.zk);
    store.zk.multi = (ops: ZkOp[]) => (multis.push(ops), real(ops));
    const commits: number[] = [];
    const commit = store.commit.bind(store);
    store.commit = (ops: StoreOp[]) => (commits.push(ops.length), commit(ops));
    try {
      const ledger = new RunLedger(store);
      const created = await ledger.writeMany(Array.from({ length: COUNT }, (_, i) => ({ type: 'create', run: run(i) })));
      expect(created.every((w) => w.type === 'create' && w.created)).toBe(true);
      expect(commits.length).toBeGreaterThan(1); // split by size...
      expect(commits.length).toBeLessThan(5);
      expect(commits.reduce((a, b) => a + b, 0)).toBe(COUNT);
      expect(multis.length).toBe(commits.length); // ...each one plain multi: nothing staged
      await raw.connect();
      expect((await raw.children('/run-batch'))?.sort()).toEqual(['changes', 'data']);

      // Another session changes one run; the placement batch falls back only for its commit.
      await other.put(`runs/${run(7).id}`, { ...run(7), slaMissedAt: 5 }, 0);
      const packs = commits.length;
      commits.length = 0;
      multis.length = 0;
      const placed = await ledger.writeMany(Array.from({ length: COUNT }, (_, i) => ({ type: 'update', id: run(i).id, change: (r: Run) => ({ ...r, state: 'launching' }) })));
      expect(placed.every((w) => w.type === 'update' && w.run?.state === 'launching')).toBe(true);
      expect(commits.length).toBe(packs);
      expect(multis.length).toBeGreaterThan(packs + 1); // one pack was written run by run...
      expect(multis.length).toBeLessThan(COUNT); // ...the others in one multi each
      const reader = new RunLedger(other);
      await reader.load();
      expect(reader.size()).toBe(COUNT);
      expect(reader.all().filter((r) => r.state === 'launching')).toHaveLength(COUNT);
      expect(reader.get(run(7).id)?.slaMissedAt).toBe(5);
      // The mirror's versions are the store's: a third batch's compare-and-sets all hold, in one try.
      commits.length = 0;
      multis.length = 0;
      await ledger.writeMany(Array.from({ length: COUNT }, (_, i) => ({ type: 'update', id: run(i).id, change: (r: Run) => ({ ...r, state: 'running' }) })));
      expect(multis.length).toBe(commits.length);
      expect(commits.reduce((a, b) => a + b, 0)).toBe(COUNT);
      await reader.load();
      expect(reader.all().filter((r) => r.state === 'running')).toHaveLength(COUNT);
    } finally {
      await raw.close();
      await other.close();
      await store.close();
    }
  });
});
