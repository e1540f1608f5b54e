/**
 * The compiled CLI as users and CI run it: whole processes, each against a baseline
 * measured in the same run, alternating so machine load hits both alike.
 *  - `kairos --help` against `node -e 0` (process start alone);
 *  - `kairos reconcile --dry-run --output json` on 10,000 and 100,000 generated manifest
 *    files (bench/plan.bench.ts's generator, one file each, planned against an empty
 *    store: everything created, next runs computed) against a node process that only
 *    reads the same files.
 * Each figure is the median wall time of several runs, with the process's own CPU time and
 * peak RSS (reported by bench/usage-preload.mjs). The CLI is built first when stale.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './run.js';
import { manifest } from './plan.bench.js';

export const title = 'Compiled CLI, whole processes (bench/cli.bench.ts)';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'kairos.js');
const preload = new URL('./usage-preload.mjs', import.meta.url).href;

/** Reads every file under argv[1] (what any CLI run must do at least), then exits. */
const READ_ALL = `const fs=require('fs'),p=require('path');let n=0;const walk=(d)=>{for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=p.join(d,e.name);if(e.isDirectory())walk(f);else n+=fs.readFileSync(f).length}};walk(process.argv[1]);`;

interface Sample {
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
  code: number | null;
}

function measure(args: string[]): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', preload, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const m = /BENCH-USAGE (\{.*\})/.exec(err);
      if (!m) return reject(new Error(`no usage from ${args.join(' ')}: ${err.slice(0, 500)}`));
      resolve({ wallMs, code, ...(JSON.parse(m[1]) as { cpuMs: number; maxRssKiB: number }) });
    });
  });
}

function median(xs: Sample[]): Sample {
  const s = [...xs].sort((a, b) => a.wallMs - b.wallMs);
  return s[Math.floor(s.length / 2)];
}

/** Runs the two commands alternately `rounds` times; returns the median sample of each. */
async function sideBySide(rounds: number, ours: string[], base: string[]): Promise<[Sample, Sample]> {
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await measure(base));
    a.push(await measure(ours));
  }
  return [median(a), median(b)];
}

async function writeManifests(dir: string, n: number): Promise<void> {
  for (let start = 0; start < n; start += 1000) {
    const sub = join(dir, `batch-${String(start / 1000).padStart(3, '0')}`);
    await mkdir(sub, { recursive: true });
    await Promise.all(Array.from({ length: Math.min(1000, n - start) }, (_, k) => writeFile(join(sub, `job-${start + k}.yaml`), manifest(start + k, 1))));
  }
}

const s = (ms: number) => Math.round(ms) / 1000;

/** A target and whether this run met it, by wall time (and peak RSS where there is a memory target). */
interface Target {
  wallS: number;
  rssMiB?: number;
}

function verdict(ours: Sample, t: Target): string {
  const rss = ours.maxRssKiB / 1024;
  const parts = [`target < ${t.wallS} s wall: ${ours.wallMs / 1000 < t.wallS ? 'met' : 'not met'}`];
  if (t.rssMiB !== undefined) parts.push(`< ${t.rssMiB / 1024} GiB: ${rss < t.rssMiB ? 'met' : 'not met'}`);
  return parts.join(', ');
}

const row = (name: string, ours: Sample, base: Sample, baseline: string, target: Target): BenchRow => ({
  name,
  value: s(ours.wallMs),
  unit: 's wall',
  note:
    `${(ours.wallMs / base.wallMs).toFixed(2)}× baseline ${baseline} (${s(base.wallMs)} s), ${s(ours.wallMs - base.wallMs)} s over it; ` +
    `CPU ${s(ours.cpuMs)} s vs ${s(base.cpuMs)} s; peak RSS ${Math.round(ours.maxRssKiB / 1024)} MiB; ${verdict(ours, target)}; load ${loadavg()[0].toFixed(1)}`,
});

export default async function bench(): Promise<BenchRow[]> {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
  const rows: BenchRow[] = [];
  const [help, node0] = await sideBySide(7, [bin, '--help'], ['-e', '0']);
  rows.push(row('kairos --help', help, node0, '`node -e 0`', { wallS: 0.35 }));

  const tmp = await mkdtemp(join(tmpdir(), 'kairos-cli-bench-'));
  try {
    for (const [n, rounds, target] of [
      [10_000, 3, { wallS: 1, rssMiB: 1024 }],
      [100_000, 1, { wallS: 8, rssMiB: 1024 }],
    ] as const) {
      const dir = join(tmp, String(n));
      await writeManifests(dir, n);
      const dry = [bin, 'reconcile', '--dry-run', '--output', 'json', '--source', dir, '--store', 'memory'];
      const [ours, base] = await sideBySide(rounds, dry, ['-e', READ_ALL, dir]);
      if (ours.code !== 2) throw new Error(`kairos reconcile --dry-run exited ${ours.code}, expected 2 (changes pending)`);
      rows.push(row(`kairos reconcile --dry-run --output json, ${n.toLocaleString('en')} manifests`, ours, base, '`node` reading the same files', target));
      await rm(dir, { recursive: true, force: true });
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return rows;
}
