/**
 * Several clusters (issue 15): offer matching and launch through the ClusterRouter with 2
 * clusters × 1,000 simulated agents, against one cluster's figure taken in the same run
 * (the plain framework, as `--mesos` runs it). Each master runs in its own process, as a
 * real one does. Half the jobs prefer dc1, half dc2 (`spec.clusters`), so both clusters
 * match offers. Target: the two-cluster time within 1.5× of the one-cluster time.
 */
import { loadavg } from 'node:os';
import { ClusterRouter } from '../src/clusters/router.js';
import { createFramework, type KairosFramework } from '../src/mesos/framework.js';
import { listDetector } from '../src/mesos/leader.js';
import { systemClock } from '../src/ports/clock.js';
import { silentLogger } from '../src/ports/logger.js';
import type { FrameworkHooks, LaunchRequest, MesosFramework } from '../src/ports/mesos.js';
import { launchRequest, template } from '../test/unit/mesos/fixtures.js';
import { childMaster } from './mesos.bench.js';
import type { BenchRow } from './run.js';

export const title = 'Several clusters (src/clusters)';

/**
 * Counts, from the frameworks' own events, tasks sent in an ACCEPT and tasks first seen
 * RUNNING (the `status` event follows the store hook, as the ACKNOWLEDGE does).
 */
function counting(members: KairosFramework[], tasks: number): { accepted: Promise<number>; running: Promise<number> } {
  const at = (count: (f: KairosFramework, add: (id: string) => void) => void) =>
    new Promise<number>((resolve) => {
      const seen = new Set<string>();
      const add = (id: string) => {
        seen.add(id);
        if (seen.size === tasks) resolve(performance.now());
      };
      for (const f of members) count(f, add);
    });
  return {
    accepted: at((f, add) => f.on('accepted', (e) => e.taskIds.forEach(add))),
    running: at((f, add) => f.on('status', (u) => u.mesosState === 'TASK_RUNNING' && add(u.taskId))),
  };
}

/** The controller's side of the hooks, reduced to what the bench needs: nothing to store. */
const NO_STORE: FrameworkHooks = { persistLaunch: async () => {}, onStatus: async () => {} };

function framework(url: string, hooks: FrameworkHooks, name: string): KairosFramework {
  const ids = { load: async () => undefined, save: async () => {} };
  return createFramework({ detector: listDetector([url]), clock: systemClock, logger: silentLogger, frameworkIds: ids, hooks }, { name });
}

/** Launches `tasks` at once through `clusters` masters of `agents` each; times due → ACCEPT and → TASK_RUNNING. */
async function launchThrough(clusters: number, agents: number, tasks: number): Promise<{ acceptMs: number; runningMs: number; cpuUs: number }> {
  const masters = await Promise.all(Array.from({ length: clusters }, () => childMaster(agents)));
  let fw: MesosFramework;
  const members: KairosFramework[] = [];
  if (clusters === 1) {
    members.push(framework(masters[0].url, NO_STORE, 'kairos-bench'));
    fw = members[0];
  } else {
    const router = new ClusterRouter(NO_STORE, { clock: systemClock, logger: silentLogger, moveAfterMs: 30_000 });
    masters.forEach((m, i) => {
      const f = framework(m.url, router.hooksFor(`dc${i + 1}`), `kairos-bench-dc${i + 1}`);
      f.on('offers', (e) => router.offered(`dc${i + 1}`, e.offers));
      router.attach({ name: `dc${i + 1}`, framework: f });
      members.push(f);
    });
    fw = router;
  }
  const c = counting(members, tasks);
  void fw.start({ force: true, knownTasks: [] });
  await Promise.all(members.map((m) => m.subscribed()));
  const names = masters.map((_, i) => `dc${i + 1}`);
  const t = (i: number) => template({ resources: { cpus: 0.05, mem: 16, disk: 0, gpus: 0, ports: 0 }, ...(clusters > 1 && { clusters: [...names.slice(i % clusters), ...names.slice(0, i % clusters)] }) });
  const templates = names.map((_, i) => t(i));
  const requests: LaunchRequest[] = Array.from({ length: tasks }, (_, i) => launchRequest(`bench${i % 50}`, i, templates[i % clusters], i));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  fw.launch(requests);
  const [tAccept, tRunning] = await Promise.all([c.accepted, c.running]);
  const cpu = process.cpuUsage(cpu0);
  await fw.stop();
  await Promise.all(masters.map((m) => m.stop()));
  return { acceptMs: tAccept - t0, runningMs: tRunning - t0, cpuUs: (cpu.user + cpu.system) / tasks };
}

export default async function (): Promise<BenchRow[]> {
  const tasks = Number(process.env.KAIROS_BENCH_CLUSTER_TASKS ?? 20_000);
  const one = await launchThrough(1, 1000, tasks);
  const two = await launchThrough(2, 1000, tasks);
  const rate = (ms: number) => Math.round(tasks / (ms / 1000));
  const ratio = Math.round((two.runningMs / one.runningMs) * 100) / 100;
  const note = (n: number) => `${n} × 1,000 simulated agents, ${tasks} tasks queued at once, each master in its own process; load ${loadavg()[0].toFixed(1)}`;
  const cpuRatio = Math.round((two.cpuUs / one.cpuUs) * 100) / 100;
  return [
    { name: 'one cluster: due → ACCEPT', value: rate(one.acceptMs), unit: 'tasks/s', note: `${note(1)}; plain framework (--mesos)` },
    { name: 'one cluster: due → TASK_RUNNING', value: rate(one.runningMs), unit: 'tasks/s', note: note(1) },
    { name: 'two clusters: due → ACCEPT', value: rate(two.acceptMs), unit: 'tasks/s', note: `${note(2)}; ClusterRouter, half the jobs prefer each cluster` },
    { name: 'two clusters: due → TASK_RUNNING', value: rate(two.runningMs), unit: 'tasks/s', note: note(2) },
    { name: 'two clusters ÷ one cluster, time to TASK_RUNNING', value: ratio, unit: '×', note: 'target ≤ 1.5' },
    { name: 'framework CPU per task, one cluster', value: Math.round(one.cpuUs * 10) / 10, unit: 'µs', note: 'this process only' },
    { name: 'framework CPU per task, two clusters', value: Math.round(two.cpuUs * 10) / 10, unit: 'µs', note: 'this process only (router + two frameworks)' },
    { name: 'two clusters ÷ one cluster, framework CPU per task', value: cpuRatio, unit: '×', note: 'target ≤ 1.5; steadier than wall time on a shared machine' },
  ];
}
