/**
 * Mesos framework figures: offer matching time (10,000 pending tasks × 1,000 offers,
 * target < 50 ms) and end-to-end launch throughput against the embedded master with
 * 1,000 simulated agents and 100,000 queued tasks (issue 16 targets: ≥ 10,000 tasks/s
 * due → TASK_RUNNING, framework CPU < 80 µs per task; rates are also printed as a ratio
 * against those targets).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import type { BenchRow } from './run.js';
import { compiled, compiledCli } from './compiled.js';
import { floorLaunch } from './mesos-floor.js';
import { matchOffers, type Demand, type MatchOffer } from '../src/mesos/matcher.js';
import { needOf } from '../src/mesos/resources.js';
import type { LaunchRequest } from '../src/ports/mesos.js';
import { launchRequest, template } from '../test/unit/mesos/fixtures.js';

export const title = 'Mesos framework (src/mesos)';

function matchingInput(): { demands: Demand<null>[]; offers: MatchOffer[] } {
  const offers: MatchOffer[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `o${i}`,
    agentId: `a${i}`,
    hostname: `h${i}`,
    role: '*',
    attributes: { rack: `r${i % 10}` },
    pools: [
      { name: 'cpus', template: { name: 'cpus', type: 'SCALAR' }, milli: 8000, ranges: [] },
      { name: 'mem', template: { name: 'mem', type: 'SCALAR' }, milli: 32768 * 1000, ranges: [] },
      { name: 'disk', template: { name: 'disk', type: 'SCALAR' }, milli: 100_000 * 1000, ranges: [] },
      { name: 'ports', template: { name: 'ports', type: 'RANGES' }, milli: 0, ranges: [[31000, 32000]] },
    ],
  }));
  const shapes = [
    needOf({ cpus: 0.1, mem: 64, disk: 0, gpus: 0, ports: 0 }),
    needOf({ cpus: 0.5, mem: 256, disk: 10, gpus: 0, ports: 1 }),
    needOf({ cpus: 1, mem: 1024, disk: 0, gpus: 0, ports: 0 }),
    needOf({ cpus: 0.25, mem: 128, disk: 0, gpus: 1, ports: 0 }),
  ];
  const demands: Demand<null>[] = Array.from({ length: 10_000 }, (_, i) => ({
    id: `t${i}`,
    group: `job${i % 100}`,
    need: shapes[i % shapes.length],
    constraints: i % 7 === 0 ? [{ attribute: 'rack', operator: 'LIKE' as const, value: 'r[1-5]' }] : i % 11 === 0 ? [{ attribute: 'hostname', operator: 'UNIQUE' as const }] : [],
    priority: i % 3,
    dueAt: i,
    payload: null,
  }));
  return { demands, offers };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function matching(): Promise<BenchRow[]> {
  const { demands, offers } = matchingInput();
  let placed = 0;
  for (let i = 0; i < 5; i++) matchOffers(demands, offers);
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    const r = matchOffers(demands, offers);
    times.push(performance.now() - t);
    placed = r.launches.reduce((n, l) => n + l.tasks.length, 0);
  }
  const note = `10,000 pending × 1,000 offers, 4 shapes + LIKE/UNIQUE constraints, ${placed} placed, 30 runs after 5 warm-up`;
  return [
    { name: 'match 10k×1k median', value: Math.round(percentile(times, 50) * 10) / 10, unit: 'ms', note },
    { name: 'match 10k×1k p95', value: Math.round(percentile(times, 95) * 10) / 10, unit: 'ms', note: 'target < 50 ms' },
  ];
}

/** Starts `kairos embedded-master` in its own process (a real master is one, too). */
export async function childMaster(agents: number): Promise<{ url: string; cpuMs(): number; stop(): Promise<void> }> {
  const main = compiledCli();
  // KAIROS_BENCH_PROFILE=<dir>: the master writes a CPU profile there (run the bench itself with --cpu-prof too).
  const prof = process.env.KAIROS_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.KAIROS_BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...prof, main, 'embedded-master', '--listen', '127.0.0.1:0', '--agents', '0', '--simulated', String(agents), '--task-duration', '100000'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`embedded master exited with ${code}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = / at (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]);
    });
  });
  const { readFileSync } = await import('node:fs');
  return {
    url,
    cpuMs: () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    },
    // Resolves once the process is gone, so a master still winding down never shares the cores with the next measurement.
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Queues N tasks at once (all due now) and times: due → launch intent persisted and
 * ACCEPT issued (persistLaunch runs right before the ACCEPTs go out), and due →
 * TASK_RUNNING reported through onStatus (each STARTING/RUNNING acknowledged on the way);
 * then the bare-scheduler baseline (mesos-floor.ts) on a fresh master, the ratio's divisor.
 */
export async function launchThroughput(agents: number, tasks: number): Promise<BenchRow[]> {
  // The framework as `kairos` runs it: compiled (bench/compiled.ts).
  const { createFramework } = await compiled<typeof import('../src/mesos/framework.js')>('mesos/framework.js');
  const { listDetector } = await compiled<typeof import('../src/mesos/leader.js')>('mesos/leader.js');
  const { systemClock } = await compiled<typeof import('../src/ports/clock.js')>('ports/clock.js');
  const { silentLogger } = await compiled<typeof import('../src/ports/logger.js')>('ports/logger.js');
  const master = await childMaster(agents);
  let t0 = 0;
  let persisted = 0;
  const seen = new Set<string>();
  let tPersist = 0;
  let tRunning = 0;
  let allRunning!: () => void;
  const done = new Promise<void>((resolve) => (allRunning = resolve));
  const fw = createFramework(
    {
      detector: listDetector([master.url]),
      clock: systemClock,
      logger: silentLogger,
      frameworkIds: { load: async () => undefined, save: async () => {} },
      hooks: {
        persistLaunch: async (l) => {
          persisted += l.length;
          if (persisted >= tasks && !tPersist) tPersist = performance.now();
        },
        onStatus: async (u) => {
          // Updates are at-least-once (resent until acknowledged): count tasks, not updates.
          if (u.mesosState !== 'TASK_RUNNING' || seen.has(u.taskId)) return;
          seen.add(u.taskId);
          if (seen.size === tasks) {
            tRunning = performance.now();
            allRunning();
          }
        },
      },
    },
    { name: 'kairos-bench' },
  );
  void fw.start({ force: true, knownTasks: [] });
  await fw.subscribed();
  const t = template({ resources: { cpus: 0.05, mem: 16, disk: 0, gpus: 0, ports: 0 } });
  const requests: LaunchRequest[] = Array.from({ length: tasks }, (_, i) => launchRequest(`bench${i % 50}`, i, t, i));
  const cpu0 = process.cpuUsage();
  const masterCpu0 = master.cpuMs();
  t0 = performance.now();
  fw.launch(requests);
  await done;
  const cpu = process.cpuUsage(cpu0);
  const masterCpu = master.cpuMs() - masterCpu0;
  await fw.stop();
  await master.stop();
  const load = loadavg()[0];
  // The baseline, right after on a fresh master of the same size (bench/mesos-floor.ts).
  const floorMaster = await childMaster(agents);
  const floorCpu0 = floorMaster.cpuMs();
  let floorMasterCpu = 0;
  const floor = await floorLaunch(floorMaster.url, tasks).finally(() => {
    floorMasterCpu = floorMaster.cpuMs() - floorCpu0; // read while the process is still there
    return floorMaster.stop();
  });
  const rate = (t: number) => Math.round(tasks / ((t - t0) / 1000));
  const note = `${agents} simulated agents, ${tasks} tasks queued at once, master in its own process; load ${load.toFixed(1)}`;
  const running = rate(tRunning);
  const floorRate = Math.round(tasks / floor.seconds);
  const cpuPerTask = Math.round(((cpu.user + cpu.system) / tasks) * 10) / 10;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return [
    { name: 'due → ACCEPT', value: rate(tPersist), unit: 'tasks/s', note },
    {
      name: 'due → TASK_RUNNING',
      value: running,
      unit: 'tasks/s',
      note: `${note}; every STARTING/RUNNING acknowledged; ${(running / floorRate).toFixed(2)}× the bare-scheduler baseline; ${(running / 10_000).toFixed(2)}× the 10,000/s target`,
    },
    { name: 'baseline: bare scheduler → TASK_RUNNING', value: floorRate, unit: 'tasks/s', note: `same master, agents and tasks, measured right after; load ${loadavg()[0].toFixed(1)}` },
    { name: 'framework CPU per task', value: cpuPerTask, unit: 'µs', note: `this process (framework) only; ${(cpuPerTask / 80).toFixed(2)}× the 80 µs target; ${(cpuPerTask / floor.cpuPerTaskUs).toFixed(2)}× the bare scheduler's` },
    { name: 'baseline: bare scheduler CPU per task', value: round1(floor.cpuPerTaskUs), unit: 'µs', note: 'the protocol alone: ACCEPT, two ACKNOWLEDGEs' },
    { name: 'embedded master CPU per task', value: round1((masterCpu * 1000) / tasks), unit: 'µs', note: `the master process; ${round1((floorMasterCpu * 1000) / tasks)} µs under the bare scheduler` },
  ];
}

export default async function (): Promise<BenchRow[]> {
  const tasks = Number(process.env.KAIROS_BENCH_MESOS_TASKS ?? 100_000);
  return [...(await matching()), ...(await launchThroughput(1000, tasks))];
}
