/**
 * The controller's launch writes for one big offer round (src/controller: Dispatch →
 * RunLifecycle → RunLedger): 1,000 jobs fall due in one tick (1,000 runs created), then one
 * `persistLaunch` of all 1,000 placements, which the framework awaits before ACCEPT (and a
 * batched round of 10,000, which ZooKeeper takes in several multis). Each
 * on the file store and on a real ZooKeeper, with the run writes of a step batched into
 * one commit (split by size on ZooKeeper; RunLedger.writeMany) beside the per-run path it
 * replaced (RunLedger.writeEach, one commit per run), measured side by side in one run.
 * Figures: store commits per task (writes the ledger asked the store for), runs/s of the
 * step (wall), and the process's CPU per task. Time in the core is a fake clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Dispatch } from '../src/controller/dispatch.js';
import { ControllerEmitter } from '../src/controller/events.js';
import { RunLedger } from '../src/controller/run-ledger.js';
import { RunLifecycle } from '../src/controller/runs.js';
import { silentLogger } from '../src/ports/logger.js';
import type { Store } from '../src/ports/store.js';
import { FileStore } from '../src/store/file-store.js';
import { ZookeeperStore } from '../src/store/zookeeper-store.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { startZooKeeper } from '../test/support/zookeeper.js';
import { job } from '../test/unit/schedule/harness.js';
import { RecordingFramework } from '../test/unit/controller/recording-framework.js';
import type { BenchRow } from './run.js';

export const title = 'Controller launch writes: one offer round (bench/controller-launch.bench.ts)';

const TASKS = 1000;
const T0 = Date.parse('2026-03-08T07:00:00Z');

/** The store seen through a counter of the writes asked of it (a commit or a put is one write). */
function counted(inner: Store): { store: Store; writes: () => number } {
  let n = 0;
  const store: Store = {
    get: (k) => inner.get(k),
    list: (c) => inner.list(c),
    put: (k, v, e) => (n++, inner.put(k, v, e)),
    delete: (k, e) => (n++, inner.delete(k, e)),
    commit: (ops) => (n++, inner.commit(ops)),
    close: () => inner.close(),
    maxCommitBytes: inner.maxCommitBytes,
  };
  return { store, writes: () => n };
}

/** One measured step: wall ms, CPU µs and store writes. */
async function measure(writes: () => number, step: () => Promise<unknown>): Promise<{ ms: number; cpuUs: number; writes: number }> {
  const w0 = writes();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await step();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuUs: c.user + c.system, writes: writes() - w0 };
}

/** `tasks` runs created in one tick, then placed in one persistLaunch, on `inner`. */
async function round(inner: Store, batched: boolean, tasks = TASKS) {
  const { store, writes } = counted(inner);
  const framework = new RecordingFramework();
  const ledger = new RunLedger(store);
  if (!batched) ledger.writeMany = (w) => ledger.writeEach(w);
  const clock = new FakeClock(T0 - 1000);
  const lifecycle = new RunLifecycle({ ledger, framework, clock, events: new ControllerEmitter(), logger: silentLogger });
  const every = { schedule: { kind: 'cron' as const, expression: '* * * * *', timeZone: 'UTC' } };
  const applied = new Map(Array.from({ length: tasks }, (_, i) => [`job-${i}`, job(`job-${i}`, every, T0 - 1000)] as const));
  const dispatch = new Dispatch({ lifecycle, ledger, clock, logger: silentLogger, applied: () => applied, effective: (a) => a, afterRunsEnded: async () => {}, clusterView: () => undefined });
  await dispatch.post({ type: 'Loaded' });
  clock.set(T0);
  const created = await measure(writes, () => dispatch.post({ type: 'Tick' }));
  if (framework.launched.length !== tasks) throw new Error(`expected ${tasks} launches, got ${framework.launched.length}`);
  const placed = framework.launched.map((request, i) => ({ request, agentId: `agent-${i % 100}`, hostname: `h${i % 100}` }));
  const placedStep = await measure(writes, () => dispatch.hooks.persistLaunch(placed));
  const launching = ledger.all().filter((r) => r.state === 'launching').length;
  if (launching !== tasks) throw new Error(`expected ${tasks} runs launching, ledger has ${launching}`);
  await dispatch.stop();
  return { created, placed: placedStep };
}

/** Rows for one store: creates and placements, per-run beside batched. */
async function rowsFor(name: string, open: (variant: string) => Promise<Store>): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const got: Record<string, Awaited<ReturnType<typeof round>>> = {};
  for (const [variant, batched] of [['per-run', false], ['batched', true]] as const) {
    const store = await open(variant);
    try {
      got[variant] = await round(store, batched);
    } finally {
      await store.close();
    }
  }
  for (const step of ['placed', 'created'] as const) {
    const what = step === 'placed' ? `persistLaunch of ${TASKS} placements (before ACCEPT)` : `tick creating ${TASKS} due runs`;
    for (const variant of ['per-run', 'batched'] as const) {
      const m = got[variant][step];
      rows.push({
        name: `${name}, ${what}, ${variant}`,
        value: Math.round(TASKS / (m.ms / 1000)),
        unit: 'runs/s',
        note: `${m.writes} store commits, ${(m.writes / TASKS).toFixed(3)} per task; ${Math.round(m.cpuUs / TASKS)} µs CPU per task; ${Math.round(m.ms)} ms`,
      });
    }
    const ratio = got['per-run'][step].ms / got.batched[step].ms;
    rows.push({ name: `${name}, ${what}: batched against per-run`, value: +ratio.toFixed(1), unit: '× faster' });
  }
  // A round ten times bigger, batched only (the per-run path would take minutes): on ZooKeeper, split by size.
  const store = await open('batched-10k');
  try {
    const m = (await round(store, true, 10 * TASKS)).placed;
    rows.push({ name: `${name}, persistLaunch of ${10 * TASKS} placements (before ACCEPT), batched`, value: Math.round((10 * TASKS) / (m.ms / 1000)), unit: 'runs/s', note: `${m.writes} store commits; ${Math.round(m.cpuUs / (10 * TASKS))} µs CPU per task; ${Math.round(m.ms)} ms` });
  } finally {
    await store.close();
  }
  return rows;
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'kairos-bench-launch-'));
  const zk = await startZooKeeper();
  try {
    return [
      ...(await rowsFor('file store', async (v) => new FileStore(join(dir, `${v}.json`)))),
      ...(await rowsFor('ZooKeeper', (v) => ZookeeperStore.open(zk.url(`/bench-launch-${v}`)))),
    ];
  } finally {
    await zk.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
