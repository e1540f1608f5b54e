import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FencedError } from '../../src/core/errors.js';
import { openZookeeperHa, type ZookeeperHa } from '../../src/ha/zookeeper-ha.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { until } from '../support/leadership.js';
import { fourLetterWord, startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

let zk: TestZooKeeper;
let n = 0;
const opened: ZookeeperHa[] = [];
beforeAll(async () => {
  zk = await startZooKeeper();
});
afterEach(async () => {
  for (const h of opened.splice(0)) await h.close().catch(() => undefined);
});
afterAll(async () => zk?.destroy());

/** Three controllers on a fresh root, started in order (so the first leads). */
async function trio(sessionTimeoutMs = 4_000) {
  const url = zk.url(`/election-${n++}`);
  const hs: ZookeeperHa[] = [];
  for (const port of [1001, 1002, 1003]) {
    const h = await openZookeeperHa(url, `http://127.0.0.1:${port}`, { sessionTimeoutMs });
    opened.push(h);
    hs.push(h);
  }
  await until(hs[0].leadership, (s) => s.leader);
  return { url, hs };
}

describe('ZooKeeper leader election', () => {
  it('elects exactly one leader at epoch 1, and each follower watches only its predecessor', async () => {
    const { hs } = await trio();
    expect(hs.map((h) => h.leadership.isLeader())).toEqual([true, false, false]);
    for (const h of hs.slice(1)) {
      const s = await until(h.leadership, (x) => x.leaderUrl !== undefined);
      expect(s).toEqual({ leader: false, epoch: 1, leaderUrl: 'http://127.0.0.1:1001' });
    }
    // `wchp` lists watched paths with the sessions watching them.
    const watches = await fourLetterWord(zk.port, 'wchp');
    const [c1, c2, c3] = hs.map((h) => h.leadership.candidatePath()!);
    const watchers = (p: string) => {
      const block = watches.split(/\n(?=\/)/).find((b) => b.startsWith(p + '\n'));
      return block ? block.trim().split('\n').length - 1 : 0;
    };
    expect([watchers(c1), watchers(c2), watchers(c3)]).toEqual([1, 1, 0]);
  });

  it('hands over to the next candidate with a higher epoch when the leader leaves', async () => {
    const { hs } = await trio();
    await hs[0].close();
    expect(hs[0].leadership.isLeader()).toBe(false);
    const s = await until(hs[1].leadership, (x) => x.leader);
    expect(s).toEqual({ leader: true, epoch: 2, leaderUrl: 'http://127.0.0.1:1002' });
    expect(await until(hs[2].leadership, (x) => x.epoch === 2)).toEqual({ leader: false, epoch: 2, leaderUrl: 'http://127.0.0.1:1002' });
    expect(hs[2].leadership.isLeader()).toBe(false);
  });

  it('lets only the leader write; a stale epoch is refused by ZooKeeper itself', async () => {
    const { url, hs } = await trio();
    const [leader, follower] = hs;
    expect(await leader.store.put('runs/a', 1, -1)).toBe(0);
    await expect(follower.store.put('runs/b', 1)).rejects.toBeInstanceOf(FencedError);
    expect(await follower.store.get('runs/a')).toEqual({ value: 1, version: 0 });

    // A leader paused past its term still holds its old token; ZooKeeper refuses it.
    const stale = leader.leadership.fence();
    const paused = leader.store.withFence(() => stale);
    await leader.close();
    await until(follower.leadership, (s) => s.leader);
    const err = await paused
      .commit([
        { op: 'put', key: 'runs/c', value: 1, expectedVersion: -1 },
        { op: 'delete', key: 'runs/a' },
      ])
      .catch((e: unknown) => e);
    // The paused store shares the closed session, so check through a fresh one too.
    const reader = await ZookeeperStore.open(url);
    try {
      expect(['E_FENCED', 'E_UNAVAILABLE']).toContain((err as FencedError).code);
      expect(await reader.get('runs/c')).toBeUndefined();
      expect(await reader.get('runs/a')).toEqual({ value: 1, version: 0 });
    } finally {
      await reader.close();
    }
  });

  it('refuses a stale token on a live session with FencedError and writes nothing', async () => {
    const { url, hs } = await trio();
    const [leader, second] = hs;
    const stale = leader.leadership.fence();
    // Open a separate live session that holds the first leader's token.
    const zombie = (await ZookeeperStore.open(url)).withFence(() => stale);
    const zombieOwner = zombie.zk;
    try {
      await leader.close();
      await until(second.leadership, (s) => s.leader);
      await expect(
        zombie.commit([
          { op: 'put', key: 'runs/z', value: 1, expectedVersion: -1 },
          { op: 'put', key: 'jobs/j', value: 2 },
        ]),
      ).rejects.toBeInstanceOf(FencedError);
      expect(await second.store.get('runs/z')).toBeUndefined();
      expect(await second.store.get('jobs/j')).toBeUndefined();
      expect(await second.store.put('runs/z', 'by-new-leader', -1)).toBe(0);
    } finally {
      await zombieOwner.close();
    }
  });

  it('deposes the leader at once when ZooKeeper goes away, and elects again when it is back', async () => {
    const { hs } = await trio(4_000);
    const leader = hs[0].leadership;
    const events: boolean[] = [];
    leader.onChange((s) => events.push(s.leader));
    const deposed = until(leader, (s) => !s.leader);
    await zk.stop({ hard: true });
    await deposed;
    expect(leader.isLeader()).toBe(false);
    await expect(hs[0].store.put('runs/x', 1)).rejects.toBeInstanceOf(FencedError);
    await zk.start();
    const back = await Promise.race(hs.map((h) => until(h.leadership, (s) => s.leader)));
    expect(back.epoch).toBeGreaterThanOrEqual(2);
    const winner = hs.find((h) => h.leadership.isLeader())!;
    expect(await winner.store.put('runs/after', 1, -1)).toBe(0);
    expect(events[0]).toBe(false);
  });
});
