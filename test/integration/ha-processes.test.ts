/**
 * HA against a real ZooKeeper with real processes: stand-in controllers
 * (test/support/ha-candidate.ts) run the real election, fencing and store while launching
 * a 100 ms schedule. Kill -9 the leader, pause it past its session, restart ZooKeeper:
 * every slot is launched exactly once, none is lost, and a deposed leader writes nothing.
 * (ha-controllers.test.ts checks pausing and ZooKeeper restarts with real `kairos serve`.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/ports/clock.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { HaCluster } from '../support/ha-cluster.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

const SESSION_MS = 2_500;
const SLOT_MS = 100;
let zk: TestZooKeeper;
let n = 0;
const clusters: HaCluster[] = [];
beforeAll(async () => {
  zk = await startZooKeeper({ tickMs: 250 });
});
afterEach(async () => {
  for (const c of clusters.splice(0)) await c.stopAll();
});
afterAll(async () => zk?.destroy());

async function cluster(size: number) {
  const url = zk.url(`/ha-${n++}`);
  const c = new HaCluster(url, systemClock.now(), SLOT_MS, SESSION_MS);
  clusters.push(c);
  for (let i = 0; i < size; i++) await c.spawn();
  return { url, c };
}

/** Every launched slot is recorded once by its launcher; slots 0..N-1 have no gap. */
async function expectExactlyOnce(url: string, c: HaCluster): Promise<number> {
  await c.stopAll();
  const store = await ZookeeperStore.open(url);
  try {
    const next = (await store.get<{ next: number }>('sched/cursor'))!.value.next;
    const ids = (await store.list('runs')).map(Number).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: next }, (_, i) => i));
    const launched = c.launches().map((e) => e.slot!);
    expect(new Set(launched).size).toBe(launched.length);
    for (const e of c.launches().filter((_, i) => i % 25 === 0)) {
      expect((await store.get<{ by: string }>(`runs/${e.slot}`))?.value.by).toBe(e.by);
    }
    return next;
  } finally {
    await store.close();
  }
}

describe('HA with real processes and a real ZooKeeper', () => {
  it('survives kill -9 of the leader 20 times: each slot once, none lost, failover within session timeout + 2 s', async () => {
    const { url, c } = await cluster(3);
    const failovers: number[] = [];
    for (let round = 0; round < 20; round++) {
      const before = await c.next((e) => e.ev === 'launch');
      await systemClock.sleep(Math.floor(Math.random() * 300));
      const victim = before.by;
      const killedAt = systemClock.now();
      await c.signal(victim, 'SIGKILL');
      const replacement = c.spawn();
      const first = await c.next((e) => e.ev === 'launch' && e.by !== victim);
      failovers.push(first.at - killedAt);
      await replacement;
    }
    expect(Math.max(...failovers)).toBeLessThanOrEqual(SESSION_MS + 2_000);
    // None lost: the last leader catches up with every slot that fell due meanwhile.
    const dueAtEnd = Math.floor((systemClock.now() - c.t0) / SLOT_MS);
    await c.next((e) => e.ev === 'launch' && e.slot! >= dueAtEnd);
    expect(await expectExactlyOnce(url, c)).toBeGreaterThan(dueAtEnd);
  }, 180_000);

  it('fences a leader paused (SIGSTOP) past its session timeout: resumed, it writes nothing', async () => {
    const { url, c } = await cluster(2);
    const paused = (await c.next((e) => e.ev === 'launch')).by;
    await c.signal(paused, 'SIGSTOP');
    const takeover = await c.next((e) => e.ev === 'launch' && e.by !== paused);
    const resumedAt = systemClock.now();
    const stepsDown = c.next((e) => e.by === paused && e.ev === 'follower');
    await c.signal(paused, 'SIGCONT');
    await stepsDown;
    // Let the resumed process run for many slots while the new leader keeps launching.
    const later = await c.next((e) => e.ev === 'launch' && e.by === takeover.by && e.slot! >= takeover.slot! + 20);
    expect(c.events.filter((e) => e.by === paused && e.ev === 'launch' && e.at >= resumedAt)).toEqual([]);
    await expectExactlyOnce(url, c);
    const store = await ZookeeperStore.open(url);
    try {
      for (let slot = takeover.slot!; slot <= later.slot!; slot++) {
        expect((await store.get<{ by: string }>(`runs/${slot}`))?.value.by).toBe(takeover.by);
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('recovers when ZooKeeper restarts under load, still launching each slot once', async () => {
    const { url, c } = await cluster(3);
    await c.next((e) => e.ev === 'launch');
    await zk.stop();
    await systemClock.sleep(1_000);
    const restartedAt = systemClock.now();
    await zk.start();
    const resumed = await c.next((e) => e.ev === 'launch' && e.at >= restartedAt);
    await c.next((e) => e.ev === 'launch' && e.slot! >= resumed.slot! + 10);
    await expectExactlyOnce(url, c);
  }, 60_000);
});
