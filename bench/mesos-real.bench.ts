/**
 * Kairos beside the reference scheduler on real Apache Mesos 1.12 (test/support/mesos.ts:
 * one master with upstream's default allocation interval, one agent): trivial command
 * tasks launched through Kairos and through `mesos-execute` (the C++ scheduler library) on
 * the same master and agent in one run. Single-run latency is request → TASK_FINISHED as
 * the user sees it: `kairos run --wait` (a CLI process asking a running `kairos serve`)
 * against `mesos-execute` (a process that also registers its framework); then N of each at
 * once; then the same through the embedded master.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './run.js';
import { ControllerCluster } from '../test/support/controllers.js';
import { jobManifest } from '../test/support/job-manifest.js';
import { startMesos } from '../test/support/mesos.js';

export const title = 'Kairos vs mesos-execute on real Apache Mesos 1.12 (bench/mesos-real.bench.ts)';

const bin = fileURLToPath(new URL('../bin/kairos.js', import.meta.url));
const SHELL = 'echo hi';

/** Runs a process to its end; resolves with wall time and exit code. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ms: number; code: number | null; out: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d));
    p.stderr!.on('data', (d: Buffer) => (out += d));
    p.once('error', reject);
    p.once('exit', (code) => resolve({ ms: performance.now() - t0, code, out }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => Math.round(x);
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** `kairos serve` on a source dir holding the job, with `--mesos` = `mesos` (or embedded). */
async function controller(mesos: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-bench-real-'));
  // Concurrent manual runs of one job need `concurrencyPolicy: Allow` (the default forbids),
  // and a history long enough that no `--wait` loses its run to pruning.
  const spec = 'spec:\n  concurrencyPolicy: Allow\n  history: { succeeded: 1000, failed: 1000 }\n';
  writeFileSync(join(dir, 'bench.yaml'), jobManifest('bench', undefined, SHELL).replace('spec:\n', spec));
  // The default write rate (60/min, burst 20) would turn the concurrent phase into 429s.
  const c = new ControllerCluster(['--source', dir, '--store', `file:${join(dir, 'state.json')}`, '--poll', '0', '--write-rate', '6000:1000', ...mesos]);
  const name = await c.spawn();
  const url = c.url(name);
  for (;;) {
    const jobs = (await (await fetch(`${url}/v1/jobs`)).json()) as { name: string }[];
    if (jobs.some((j) => j.name === 'bench')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: async () => (await c.stopAll(), rmSync(dir, { recursive: true, force: true })) };
}

/** `kairos run bench --wait` as a process; throws unless the run succeeded. */
async function kairosRun(url: string): Promise<number> {
  const r = await timed(process.execPath, [bin, 'run', 'bench', '--wait', '--server', url]);
  if (r.code !== 0) throw new Error(`kairos run failed (${r.code}): ${r.out}`);
  return r.ms;
}

/** Where one run's time goes, from the API (no CLI): phases from the run's own timestamps. */
interface Phases {
  total: number;
  toStarted: number;
  running: number;
  toSeen: number;
}

/** POST a run, poll every 20 ms until it succeeded; the run's timestamps split the time. */
async function apiRun(url: string): Promise<Phases> {
  const t0 = Date.now();
  const res = await fetch(`${url}/v1/jobs/bench/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const run = (await res.json()) as { id: string };
  for (;;) {
    const r = (await (await fetch(`${url}/v1/runs/${encodeURIComponent(run.id)}`)).json()) as { state: string; attempts: { startedAt?: number; endedAt?: number }[] };
    if (r.state === 'succeeded') {
      const seen = Date.now();
      const a = r.attempts[0];
      return { total: seen - t0, toStarted: a.startedAt! - t0, running: a.endedAt! - a.startedAt!, toSeen: seen - a.endedAt! };
    }
    if (r.state !== 'pending' && r.state !== 'launching' && r.state !== 'running') throw new Error(`run ${run.id} ended ${r.state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function mesosExecute(spec: string, i: number): Promise<number> {
  const r = await timed('/opt/mesos/bin/mesos-execute', [`--master=${spec}`, `--name=bench-${i}`, `--command=${SHELL}`, '--resources=cpus:0.1;mem:32'], { ...process.env, LD_LIBRARY_PATH: '/opt/mesos/lib', GLOG_minloglevel: '2' });
  if (r.code !== 0 || !r.out.includes('TASK_FINISHED')) throw new Error(`mesos-execute failed (${r.code}): ${r.out}`);
  return r.ms;
}

/** Wall time of `n` runs started at once. */
async function concurrently(n: number, one: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => one(100 + i)));
  return performance.now() - t0;
}

export default async function (): Promise<BenchRow[]> {
  const reps = Number(process.env.KAIROS_BENCH_REAL_REPS ?? 7);
  const n = Number(process.env.KAIROS_BENCH_REAL_TASKS ?? 20);
  // `kairos run` is the compiled CLI (bin/kairos.js runs dist/): build it first when stale.
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url)), '--if-stale'], { stdio: 'inherit' });
  const mesos = await startMesos({ allocationInterval: '1secs', agentResources: 'cpus:8;mem:8192;disk:10000;ports:[31000-32000]' });
  const rows: BenchRow[] = [];
  try {
    const spec = `127.0.0.1:${mesos.masters[0].port}`;
    const k = await controller(['--mesos', mesos.url]);
    let ref: { single: number; concurrent: number };
    let real: { single: number; concurrent: number };
    let api: Phases;
    try {
      // Warm-up, then single runs interleaved, so load on this shared machine hits both alike.
      await mesosExecute(spec, 0);
      await kairosRun(k.url);
      const refs: number[] = [];
      const kairos: number[] = [];
      const apis: Phases[] = [];
      for (let i = 0; i < reps; i++) {
        refs.push(await mesosExecute(spec, i + 1));
        kairos.push(await kairosRun(k.url));
        apis.push(await apiRun(k.url));
      }
      const m = (key: keyof Phases) => median(apis.map((p) => p[key]));
      api = { total: m('total'), toStarted: m('toStarted'), running: m('running'), toSeen: m('toSeen') };
      ref = { single: median(refs), concurrent: await concurrently(n, (i) => mesosExecute(spec, i)) };
      real = { single: median(kairos), concurrent: await concurrently(n, () => kairosRun(k.url)) };
    } finally {
      await k.stop();
    }
    const e = await controller(['--agents', '1']);
    let emb: { single: number; concurrent: number };
    try {
      await kairosRun(e.url);
      const singles: number[] = [];
      for (let i = 0; i < reps; i++) singles.push(await kairosRun(e.url));
      emb = { single: median(singles), concurrent: await concurrently(n, () => kairosRun(e.url)) };
    } finally {
      await e.stop();
    }
    const note = `median of ${reps} after a warm-up, interleaved with the Kairos runs; agent cpus:8, master --allocation_interval=1secs (upstream default)`;
    rows.push(
      { name: 'single run: mesos-execute', value: ms(ref.single), unit: 'ms', note: `process start + framework registration + offer + launch → TASK_FINISHED; ${note}` },
      { name: 'single run: kairos run --wait (real master)', value: ms(real.single), unit: 'ms', note: 'CLI process → API → controller → ACCEPT → TASK_FINISHED → CLI sees succeeded' },
      { name: 'single run ratio Kairos / mesos-execute', value: ratio(real.single, ref.single), unit: '×', note: 'goal ≤ 1.1' },
      { name: 'single run through the API (no CLI), real master', value: ms(api.total), unit: 'ms', note: `POST → succeeded seen (20 ms polls): request → RUNNING ${ms(api.toStarted)} ms (REVIVE → offer → intent stored → ACCEPT → executor up), RUNNING → FINISHED ${ms(api.running)} ms, → seen ${ms(api.toSeen)} ms; the rest of the CLI figure is the CLI process` },
      { name: 'single run ratio Kairos API / mesos-execute', value: ratio(api.total, ref.single), unit: '×', note: 'the controller and framework without the CLI process' },
      { name: `${n} concurrent: mesos-execute`, value: ms(ref.concurrent), unit: 'ms', note: `${n} processes at once, wall time until all exited` },
      { name: `${n} concurrent: kairos run --wait (real master)`, value: ms(real.concurrent), unit: 'ms', note: `${n} CLI processes at once against one controller` },
      { name: `${n} concurrent ratio Kairos / mesos-execute`, value: ratio(real.concurrent, ref.concurrent), unit: '×', note: '' },
      { name: 'single run: kairos run --wait (embedded master)', value: ms(emb.single), unit: 'ms', note: 'kairos serve --agents 1 (embedded master, local agent)' },
      { name: `${n} concurrent: kairos run --wait (embedded master)`, value: ms(emb.concurrent), unit: 'ms', note: '' },
      { name: 'embedded / real master, single run', value: ratio(emb.single, real.single), unit: '×', note: '< 1: the embedded master is faster' },
    );
  } finally {
    await mesos.stop();
  }
  return rows;
}
