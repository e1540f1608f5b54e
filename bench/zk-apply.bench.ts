/**
 * Applying 10,000 new jobs in one sync on the ZooKeeper store: more than one ZooKeeper
 * multi can carry (1 MiB), so the commit is staged in pieces behind one switch
 * (src/store/zk-chunked.ts). Measured: plan + applyPlan wall time, and a reader's
 * loadApplied of the result, on a real ZooKeeper on this machine.
 */
import { loadDesired } from '../src/manifests/load.js';
import { applyPlan, loadApplied } from '../src/plan/apply.js';
import { plan } from '../src/plan/plan.js';
import { ZookeeperStore } from '../src/store/zookeeper-store.js';
import { jobYaml, snapshotOf } from '../test/fixtures/manifests/index.js';
import { startZooKeeper } from '../test/support/zookeeper.js';
import type { BenchRow } from './run.js';

export const title = 'ZooKeeper store: apply 10,000 new jobs (bench/zk-apply.bench.ts)';

const JOBS = 10_000;

export default async function (): Promise<BenchRow[]> {
  const zk = await startZooKeeper();
  try {
    const files = Object.fromEntries(
      Array.from({ length: JOBS }, (_, i) => [`jobs/job-${i}.yaml`, jobYaml(`job-${i}`, `schedule: { cron: "${i % 60} * * * *" }\ncommand: { shell: "echo ${i}" }\nresources: { cpus: 0.1, mem: 64 }`)]),
    );
    const desired = loadDesired(snapshotOf(files, 'a'.repeat(40)));
    const store = await ZookeeperStore.open(zk.url('/bench-apply'));
    const t0 = performance.now();
    const p = plan(desired, await loadApplied(store), { now: Date.parse('2026-06-01T00:00:00Z'), prune: false });
    await applyPlan(store, p, Date.parse('2026-06-01T00:00:00Z'));
    const applyMs = performance.now() - t0;
    const reader = await ZookeeperStore.open(zk.url('/bench-apply'));
    const t1 = performance.now();
    const applied = await loadApplied(reader);
    const readMs = performance.now() - t1;
    if (applied.resources.length !== JOBS) throw new Error(`expected ${JOBS} applied, read ${applied.resources.length}`);
    await reader.close();
    await store.close();
    return [
      { name: `apply ${JOBS} new jobs (plan + staged commit + roll forward)`, value: Math.round(applyMs), unit: 'ms', note: 'one sync; before: refused over ~900 jobs' },
      { name: `read back ${JOBS} applied jobs (loadApplied)`, value: Math.round(readMs), unit: 'ms', note: 'another session' },
    ];
  } finally {
    await zk.destroy();
  }
}
