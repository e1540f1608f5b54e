/**
 * Load + validate + plan at scale: N generated Job manifests (one file each; a third on
 * cron in various zones, a third ISO 8601, a third Chronos children of earlier jobs),
 * planned first against an empty store (everything created, next runs computed for each)
 * and then against the applied state with 1% of the jobs changed.
 * Target (issue 2): 10,000 manifests in under 1.5 s, growing linearly. Figures are CPU time
 * of this process (user + system), with wall-clock time beside it: on a shared, loaded
 * machine wall time mostly measures waiting for a core.
 */
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './run.js';
import { loadDesired } from '../src/manifests/load.js';
import { appliedFromDesired } from '../src/plan/apply.js';
import { plan } from '../src/plan/plan.js';
import type { Snapshot } from '../src/ports/source.js';

export const title = 'Manifests: load + validate + plan (bench/plan.bench.ts)';

const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/London'];
const NOW = Date.parse('2026-06-01T00:00:00Z');

/** The i-th generated Job manifest (also written to disk by bench/cli.bench.ts). */
export function manifest(i: number, variant: number): string {
  const name = `job-${String(i).padStart(6, '0')}`;
  const when =
    i % 3 === 0
      ? `  schedule: { cron: "${i % 60} ${i % 24} * * *", timeZone: ${ZONES[i % ZONES.length]} }\n`
      : i % 3 === 1
        ? `  schedule: { iso8601: "R/2026-01-01T00:${String(i % 60).padStart(2, '0')}:00Z/PT${1 + (i % 12)}H" }\n`
        : `  after: [job-${String(i - 1).padStart(6, '0')}]\n`;
  return (
    `apiVersion: kairos/v1\nkind: Job\nmetadata:\n  name: ${name}\n  labels: { team: t${i % 17} }\nspec:\n${when}` +
    `  container: { image: "registry.example.com/app:${variant}" }\n  command: { argv: [run, "--shard", "${i}"] }\n` +
    `  resources: { cpus: 0.5, mem: 256 }\n  env: { SHARD: "${i}" }\n  retries: { count: 1 }\n`
  );
}

function snapshot(n: number, changedEvery: number): Snapshot {
  const files = [];
  for (let i = 0; i < n; i++) files.push({ path: `jobs/${i}.yaml`, content: Buffer.from(manifest(i, i % changedEvery === 0 ? 2 : 1)) });
  return { revision: `r${changedEvery}`, files, problems: [] };
}

/** Runs `fn`; returns its result, wall-clock ms and CPU ms (user + system) of this process. */
function time<T>(fn: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return [out, wall, (c.user + c.system) / 1000];
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  time(() => plan(loadDesired(snapshot(500, 1e9)), { resources: [], versions: {} }, { now: NOW })); // warm-up (JIT, ajv compile)
  for (const n of [10_000, 100_000]) {
    const base = snapshot(n, 1e9);
    const [desired, loadMs, loadCpu] = time(() => loadDesired(base));
    const [, createMs, createCpu] = time(() => plan(desired, { resources: [], versions: {} }, { now: NOW }));
    const applied = appliedFromDesired(desired);
    const changed = snapshot(n, 100);
    const [, changeMs, changeCpu] = time(() => plan(loadDesired(changed), applied, { now: NOW }));
    const of = `${n.toLocaleString('en')} manifests`;
    const wall = (ms: number) => `wall ${Math.round(ms)} ms`;
    rows.push({ name: `load+validate, ${of}`, value: Math.round(loadCpu), unit: 'ms CPU', note: wall(loadMs) });
    rows.push({ name: `plan all-create (next 3 runs each), ${of}`, value: Math.round(createCpu), unit: 'ms CPU', note: wall(createMs) });
    rows.push({
      name: `load+validate+plan, ${of}`,
      value: Math.round(loadCpu + createCpu),
      unit: 'ms CPU',
      note: `${wall(loadMs + createMs)}; ${n === 10_000 ? 'target < 1500 ms' : 'linear: about 10x the 10,000 figure'}`,
    });
    rows.push({ name: `load+validate+plan, 1% changed, ${of}`, value: Math.round(changeCpu), unit: 'ms CPU', note: wall(changeMs) });
  }
  return rows;
}
