/**
 * The chaos run, judged by side effects. A job fires every `periodSeconds`; each task
 * writes its pid to `pids/<task id>`, sleeps, then appends `<task id>` (run id + attempt)
 * to `marks`. While the window lasts, seeded random faults hit the system; afterwards every
 * controller is brought back, the runs settle, and every instant of the window is judged:
 * exactly one mark (one successful side effect), a run record that succeeded, no
 * duplicate, no instant without a run.
 *
 * Setups: `file`: one `kairos serve` on the file store with the embedded master (faults:
 * SIGKILL + restart, SIGSTOP + SIGCONT, SIGTERM + restart, task kills). `zk`: three
 * `kairos serve` on a real ZooKeeper sharing one `kairos embedded-master --state-dir`
 * process (faults: controller SIGKILL + restart, SIGSTOP past the session timeout +
 * SIGCONT, ZooKeeper restart, embedded master (agent) SIGKILL + restart, task kills).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Run } from '../../src/core/run.js';
import { ControllerCluster } from '../support/controllers.js';
import { guard, signalProcess } from '../support/ha-cluster.js';
import { freePort, startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';
import { TempRepo } from '../e2e/support.js';
import { rng } from '../support/seeded.js';

/** What to run. */
export interface ChaosOptions {
  setup: 'file' | 'zk';
  /** Length of the fault window. */
  seconds: number;
  seed: number;
  /** Job period; default 5 s. */
  periodSeconds?: number;
  log?: (line: string) => void;
}

/** What was seen; `ok` when every instant had exactly one successful side effect and run. */
export interface ChaosReport {
  setup: string;
  seed: number;
  seconds: number;
  instants: number;
  succeeded: number;
  marks: number;
  duplicates: string[];
  lost: string[];
  withoutRun: string[];
  failedRuns: string[];
  kills: Record<string, number>;
  /** The Forbid job: instants that succeeded once, were skipped (no effect), or neither (bad). */
  forbid: { instants: number; succeeded: number; skipped: number; bad: string[] };
  ok: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection naming `what` after `ms`: no step of a chaos run may hang it. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`chaos: ${what} took over ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * `chaos` (Allow) is judged strictly: one success and one mark per instant. `forbid`
 * (Forbid, slower) may legitimately skip an instant behind a run that a fault stretched
 * past its next instant; it is judged for no duplicate, no instant without a run record,
 * one mark per succeeded run, none for a skipped one, and a skip only behind a run whose
 * side effect (timestamped in `marks`) had not happened when the instant fell due.
 */
function manifest(dir: string, name: string, period: number, policy: 'Allow' | 'Forbid', secs: number): string {
  const shell = `echo $$ > ${dir}/pids/$MESOS_TASK_ID; sleep ${secs}; echo "$MESOS_TASK_ID $(date +%s%3N)" >> ${dir}/marks`;
  return [
    'apiVersion: kairos/v1',
    'kind: Job',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  schedule:',
    `    cron: "*/${period} * * * * *"`,
    '  command:',
    `    shell: ${JSON.stringify(shell)}`,
    '  resources: { cpus: 0.1, mem: 32 }',
    '  retries: { count: 10, initialDelaySeconds: 1, maxDelaySeconds: 2 }',
    `  concurrencyPolicy: ${policy}`,
    '  catchUp: all',
    '  startingDeadlineSeconds: 100000',
    '  history: { succeeded: 100000, failed: 100000 }',
    '',
  ].join('\n');
}

/** Runs one chaos window and judges it. Cleans up every process it started. */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const log = o.log ?? (() => {});
  const period = o.periodSeconds ?? 5;
  const random = rng(o.seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
  const dir = mkdtempSync(join(tmpdir(), `kairos-chaos-${o.setup}-`));
  mkdirSync(join(dir, 'pids'));
  const repo = new TempRepo();
  repo.commit('chaos.yaml', manifest(dir, 'chaos', period, 'Allow', 2), 'chaos job');
  repo.commit('forbid.yaml', manifest(dir, 'forbid', 20, 'Forbid', 1), 'forbid job');
  const kills: Record<string, number> = {};
  const count = (k: string) => (kills[k] = (kills[k] ?? 0) + 1);
  let zk: TestZooKeeper | undefined;
  let master: ChildProcess | undefined;
  let masterPort = 0;
  const stopped = new Set<string>();
  const startMaster = async () => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--import', guard, 'src/main.ts', 'embedded-master', '--listen', `127.0.0.1:${masterPort}`, '--agents', '1', '--state-dir', join(dir, 'agent')], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    master = p;
    let out = '';
    await within(
      60_000,
      'starting the embedded master',
      new Promise<void>((resolve, reject) => {
        p.stdout!.on('data', (c: Buffer) => (out += c).includes(' at http') && resolve());
        p.once('exit', (code) => reject(new Error(`embedded master exited (${code}): ${out}`)));
      }),
    );
  };

  let args: string[];
  if (o.setup === 'file') {
    args = ['--source', repo.dir, '--ref', 'main', '--store', `file:${join(dir, 'kairos', 'state.json')}`, '--agents', '1', '--poll', '5s', '--history-cap', '100000'];
  } else {
    log('starting ZooKeeper');
    zk = await within(90_000, 'starting ZooKeeper', startZooKeeper({ tickMs: 500 }));
    masterPort = await freePort();
    log(`starting the embedded master on ${masterPort}`);
    await startMaster();
    log('embedded master up');
    args = ['--source', repo.dir, '--ref', 'main', '--store', zk.url('/kairos?sessionTimeoutMs=3000'), '--mesos', `http://127.0.0.1:${masterPort}`, '--poll', '5s', '--history-cap', '100000'];
  }
  const cluster = new ControllerCluster(args);
  const want = o.setup === 'file' ? 1 : 3;
  const live = () => [...cluster.procs.keys()].filter((n) => { const p = cluster.procs.get(n)!.proc; return p.exitCode === null && p.signalCode === null; });
  const spawnController = async () => {
    const name = await within(90_000, 'starting a controller', cluster.spawn());
    log(`started ${name}`);
    return name;
  };
  const api = async <T>(path: string): Promise<T | undefined> => {
    for (const n of live().filter((x) => !stopped.has(x))) {
      const url = cluster.procs.get(n)!.url;
      if (!url) continue;
      try {
        const res = await fetch(url + path, { signal: AbortSignal.timeout(5000) });
        if (res.ok) return (await res.json()) as T;
      } catch {
        // try the next controller
      }
    }
    return undefined;
  };
  /** SIGTERM, and SIGKILL if it has not exited within 30 s (counted: a stop that hung). */
  const stopGracefully = async (name: string) => {
    try {
      await within(30_000, `${name} stopping on SIGTERM`, cluster.signal(name, 'SIGTERM') ?? Promise.resolve());
    } catch (err) {
      count('SIGTERM not honoured within 30 s');
      log(String(err));
      await cluster.signal(name, 'SIGKILL');
    }
  };
  const runs = async (job = 'chaos') => (await api<Run[]>(`/v1/jobs/${job}/runs?limit=10000`)) ?? [];

  try {
    for (let i = 0; i < want; i++) await spawnController();
    // Up and working: the first run succeeded.
    const upBy = Date.now() + 120_000;
    while (!(await runs()).some((r) => r.state === 'succeeded')) {
      if (Date.now() > upBy) throw new Error('the chaos job never succeeded before faults began');
      await sleep(500);
    }
    const windowStart = Date.now();
    const windowEnd = windowStart + o.seconds * 1000;
    log(`window ${new Date(windowStart).toISOString()} .. ${new Date(windowEnd).toISOString()} seed ${o.seed}`);

    const faults: Record<string, () => Promise<void>> = {
      'controller SIGKILL + restart': async () => {
        const victim = pick(live());
        if (!victim) return;
        stopped.delete(victim);
        await cluster.signal(victim, 'SIGKILL');
        await sleep(random() * 3000);
        await spawnController();
      },
      'controller SIGTERM + restart': async () => {
        const victim = pick(live().filter((n) => !stopped.has(n)));
        if (!victim) return;
        await stopGracefully(victim);
        await spawnController();
      },
      'controller SIGSTOP past session timeout + SIGCONT': async () => {
        const victim = o.setup === 'zk' ? (cluster.leader() ?? pick(live())) : pick(live());
        if (!victim) return;
        stopped.add(victim);
        void cluster.signal(victim, 'SIGSTOP');
        await sleep(4000 + random() * 3000);
        void cluster.signal(victim, 'SIGCONT');
        stopped.delete(victim);
      },
      'task SIGKILL': async () => {
        // Only tasks that started under a second ago: their mark is still > 1 s away, so
        // the kill can never land after the side effect (which would be a legit retry).
        const fresh = readdirSync(join(dir, 'pids')).filter((f) => Date.now() - statSync(join(dir, 'pids', f)).mtimeMs < 1000);
        const f = pick(fresh);
        if (!f) return;
        try {
          process.kill(Number(readFileSync(join(dir, 'pids', f), 'utf8')), 'SIGKILL');
        } catch {
          return;
        }
      },
      ...(o.setup === 'zk'
        ? {
            'ZooKeeper restart': async () => {
              await within(60_000, 'stopping ZooKeeper', zk!.stop());
              await sleep(1000 + random() * 2000);
              await within(60_000, 'starting ZooKeeper', zk!.start());
            },
            'embedded master/agent SIGKILL + restart': async () => {
              await within(30_000, 'killing the embedded master', signalProcess(master!, 'SIGKILL') ?? Promise.resolve());
              await sleep(random() * 2000);
              await startMaster();
            },
          }
        : {}),
    };
    const kinds = Object.keys(faults);
    while (Date.now() < windowEnd) {
      await sleep(2000 + random() * 6000);
      if (Date.now() >= windowEnd) break;
      const kind = pick(kinds);
      const before = Object.values(kills).reduce((a, b) => a + b, 0);
      await within(180_000, kind, faults[kind]());
      count(kind);
      log(`${new Date().toISOString()} fault ${Object.values(kills).reduce((a, b) => a + b, 0) - before ? kind : '-'}`);
      while (live().length < want) await spawnController();
    }

    // Everyone back; then wait (generously) until every instant of the window has ended.
    for (const n of stopped) void cluster.signal(n, 'SIGCONT');
    stopped.clear();
    while (live().length < want) await spawnController();
    const instantsOf = (p: number) => {
      const out: number[] = [];
      for (let t = Math.ceil(windowStart / (p * 1000)) * p * 1000; t <= windowEnd; t += p * 1000) out.push(t);
      return out;
    };
    const instants = instantsOf(period);
    const forbidInstants = instantsOf(20);
    const settleBy = Date.now() + 180_000;
    let all: Run[] = [];
    let forbidRuns: Run[] = [];
    const open = (ts: number[], rs: Run[]) => {
      const byAt = new Map(rs.map((r) => [r.scheduledAt, r]));
      return ts.filter((t) => !byAt.has(t) || ['pending', 'launching', 'running'].includes(byAt.get(t)!.state));
    };
    for (;;) {
      all = await runs();
      forbidRuns = await runs('forbid');
      if ((open(instants, all).length === 0 && open(forbidInstants, forbidRuns).length === 0) || Date.now() > settleBy) break;
      await sleep(1000);
    }
    await sleep(3000); // late duplicates, if any, would show in the marks now

    const marks = existsSync(join(dir, 'marks')) ? readFileSync(join(dir, 'marks'), 'utf8').split('\n').filter(Boolean) : [];
    const runOf = (taskId: string) => /^kairos\.(.+)\.\d+$/.exec(taskId)?.[1] ?? taskId;
    const marksByRun = new Map<string, number>();
    const markAt = new Map<string, number>(); // when a run's side effect happened (epoch ms)
    for (const line of marks) {
      const [taskId, at] = line.split(' ');
      marksByRun.set(runOf(taskId), (marksByRun.get(runOf(taskId)) ?? 0) + 1);
      markAt.set(runOf(taskId), Number(at));
    }
    const byAt = new Map(all.map((r) => [r.scheduledAt, r]));
    const report: ChaosReport = {
      setup: o.setup,
      seed: o.seed,
      seconds: o.seconds,
      instants: instants.length,
      succeeded: 0,
      marks: 0,
      duplicates: [],
      lost: [],
      withoutRun: [],
      failedRuns: [],
      kills,
      forbid: { instants: forbidInstants.length, succeeded: 0, skipped: 0, bad: [] },
      ok: false,
    };
    const forbidByAt = new Map(forbidRuns.map((r) => [r.scheduledAt, r]));
    for (const t of forbidInstants) {
      const id = `forbid@${new Date(t).toISOString()}`;
      const run = forbidByAt.get(t);
      const n = marksByRun.get(id) ?? 0;
      // A skip is fair only behind a run whose side effect had not happened yet when this
      // instant fell due; skipping behind one that had already ended (a blind judgement at a
      // leader change) is the bug this guards against.
      const blocker = /Forbid: (\S+) is still active/.exec(run?.reason ?? '')?.[1];
      const fair = blocker !== undefined && !((markAt.get(blocker) ?? Infinity) < t);
      if (run?.state === 'succeeded' && n === 1) report.forbid.succeeded++;
      else if (run?.state === 'skipped' && n === 0 && fair) report.forbid.skipped++;
      else report.forbid.bad.push(`${id} ${run ? `${run.state} (${run.reason ?? ''})` : 'no run'} with ${n} marks`);
    }
    for (const t of instants) {
      const id = `chaos@${new Date(t).toISOString()}`;
      const run = byAt.get(t);
      const n = marksByRun.get(id) ?? 0;
      report.marks += n;
      if (!run) report.withoutRun.push(id);
      else if (run.state === 'succeeded') report.succeeded++;
      else report.failedRuns.push(`${id} ${run.state}: ${run.reason ?? ''}`);
      if (n > 1) report.duplicates.push(`${id} x${n}`);
      if (n === 0) report.lost.push(id);
    }
    report.ok = report.instants > 0 && report.succeeded === report.instants && report.duplicates.length === 0 && report.lost.length === 0 && report.withoutRun.length === 0 && report.forbid.bad.length === 0;
    return report;
  } finally {
    for (const n of cluster.procs.keys()) void cluster.signal(n, 'SIGCONT');
    await Promise.all(live().map((n) => stopGracefully(n)));
    if (master) await within(30_000, 'stopping the embedded master', signalProcess(master, 'SIGTERM') ?? Promise.resolve()).catch(() => signalProcess(master!, 'SIGKILL'));
    await zk?.destroy();
    repo.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line per figure, for logs and BENCHMARKS.md. */
export function formatReport(r: ChaosReport): string {
  const kills = Object.entries(r.kills).map(([k, v]) => `${k}: ${v}`).join(', ');
  return [
    `chaos ${r.setup} seed=${r.seed} window=${r.seconds}s: instants ${r.instants}, succeeded ${r.succeeded}, marks ${r.marks}, duplicates ${r.duplicates.length}, lost ${r.lost.length}, without run ${r.withoutRun.length}, failed runs ${r.failedRuns.length}`,
    `  faults: ${kills || 'none'}`,
    `  forbid job: instants ${r.forbid.instants}, succeeded ${r.forbid.succeeded}, skipped ${r.forbid.skipped}, bad ${r.forbid.bad.length}`,
    ...[...r.forbid.bad, ...r.duplicates, ...r.lost.map((x) => `lost ${x}`), ...r.withoutRun.map((x) => `no run ${x}`), ...r.failedRuns].map((x) => `  ${x}`),
  ].join('\n');
}
