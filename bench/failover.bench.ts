/**
 * Failover time: the leader of three stand-in controllers (test/support/ha-candidate.ts,
 * the real election, fencing and ZooKeeper store) is killed while launching a 100 ms
 * schedule; measured is kill → first launch by the new leader. kill -9 and SIGSTOP (a frozen
 * process keeps its socket open) leave the session to expire, bounded by the session timeout,
 * here 4 s as `kairos serve --zk-session-timeout 4s` sets it; SIGTERM closes it at once. Also the latency
 * of one fenced launch commit on ZooKeeper and of one FileStore write, for scale.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/ports/clock.js';
import { FileStore } from '../src/store/file-store.js';
import { openZookeeperHa } from '../src/ha/zookeeper-ha.js';
import { HaCluster } from '../test/support/ha-cluster.js';
import { startZooKeeper, type TestZooKeeper } from '../test/support/zookeeper.js';
import type { BenchRow } from './run.js';

export const title = 'Failover and store writes (bench/failover.bench.ts)';

/** As `--zk-session-timeout 4s`. */
const SESSION_MS = 4_000;
const ROUNDS = 5;

async function failovers(zk: TestZooKeeper, root: string, sig: 'SIGKILL' | 'SIGTERM' | 'SIGSTOP'): Promise<number[]> {
  const c = new HaCluster(zk.url(root), systemClock.now(), 100, SESSION_MS);
  try {
    for (let i = 0; i < 3; i++) await c.spawn();
    const out: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const victim = (await c.next((e) => e.ev === 'launch')).by;
      const at = systemClock.now();
      await c.signal(victim, sig);
      const replacement = c.spawn();
      out.push((await c.next((e) => e.ev === 'launch' && e.by !== victim)).at - at);
      if (sig === 'SIGSTOP') await c.signal(victim, 'SIGKILL');
      await replacement;
    }
    return out;
  } finally {
    await c.stopAll();
  }
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 0) => Number(x.toFixed(d));

export default async function (): Promise<BenchRow[]> {
  const zk = await startZooKeeper({ tickMs: 250 });
  const dir = await mkdtemp(join(tmpdir(), 'kairos-bench-'));
  try {
    const killed = await failovers(zk, '/bench-kill', 'SIGKILL');
    const stopped = await failovers(zk, '/bench-stop', 'SIGSTOP');
    const termed = await failovers(zk, '/bench-term', 'SIGTERM');
    const ha = await openZookeeperHa(zk.url('/bench-writes'), 'http://127.0.0.1:1');
    const zkWrites = await timeEach(300, (i) =>
      ha.store.commit([
        { op: 'put', key: `runs/r${i}`, value: { job: 'nightly', attempt: 1, state: 'staging' }, expectedVersion: -1 },
        { op: 'put', key: 'sched/cursor', value: { next: i + 1 } },
      ]),
    );
    await ha.close();
    const file = new FileStore(join(dir, 'state.json'));
    const fileWrites = await timeEach(300, (i) => file.put(`runs/r${i}`, { job: 'nightly', attempt: 1, state: 'staging' }, -1));
    await file.close();
    const note = `3 controllers, session timeout ${SESSION_MS} ms, ${ROUNDS} rounds`;
    return [
      { name: 'failover after kill -9 (median)', value: median(killed), unit: 'ms', note },
      { name: 'failover after kill -9 (max)', value: Math.max(...killed), unit: 'ms', note: `${note}; target < 6000` },
      { name: 'failover after SIGSTOP (median)', value: median(stopped), unit: 'ms', note: `${note}; a frozen leader, socket still open` },
      { name: 'failover after SIGSTOP (max)', value: Math.max(...stopped), unit: 'ms', note: `${note}; target < 6000` },
      { name: 'failover after SIGTERM (median)', value: median(termed), unit: 'ms', note: `${note}; session closed on exit` },
      { name: 'fenced ZooKeeper launch commit (median)', value: round(median(zkWrites), 2), unit: 'ms', note: '2-op multi + epoch check, 300 commits' },
      { name: 'FileStore create-if-absent write (median)', value: round(median(fileWrites), 2), unit: 'ms', note: 'fsync + rename per write, 300 keys' },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
    await zk.destroy();
  }
}
