/**
 * What capacity costs when it is asked for: `planCapacity` (src/plan/capacity.ts) over a
 * plan of N created jobs (bench/plan.bench.ts's manifests: two thirds scheduled, cron and
 * ISO 8601) against 100 agents, and the leader's unschedulable check
 * (src/schedule/unschedulable.ts) over N waiting runs of 4 shapes. A dry run without
 * facts does neither (it does not even load the modules). Figures are CPU time of this
 * process (user + system).
 */
import type { BenchRow } from './run.js';
import { manifest } from './plan.bench.js';
import type { Run } from '../src/core/run.js';
import { loadDesired } from '../src/manifests/load.js';
import { planCapacity } from '../src/plan/capacity.js';
import { plan } from '../src/plan/plan.js';
import type { ClusterFacts } from '../src/ports/mesos.js';
import { unschedulableChanges, waitingRuns } from '../src/schedule/unschedulable.js';

export const title = 'Capacity in the plan and the unschedulable check (bench/plan-capacity.bench.ts)';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const facts: ClusterFacts = {
  at: NOW,
  agents: Array.from({ length: 100 }, (_, i) => ({ id: `a${i}`, hostname: `h${i}`, attributes: { rack: `r${i % 8}` }, resources: { cpus: 8, mem: 32768, disk: 100_000, gpus: 0, ports: 1000 } })),
};

function cpuMs<T>(fn: () => T): [T, number] {
  const c0 = process.cpuUsage();
  const out = fn();
  const c = process.cpuUsage(c0);
  return [out, (c.user + c.system) / 1000];
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const n = 10_000;
  const files = Array.from({ length: n }, (_, i) => ({ path: `jobs/${i}.yaml`, content: Buffer.from(manifest(i, 1)) }));
  const p = plan(loadDesired({ revision: 'r', files, problems: [] }), { resources: [], versions: {} }, { now: NOW });
  cpuMs(() => planCapacity(p, { source: 'bench', facts })); // warm-up
  const [cap, ms] = cpuMs(() => planCapacity(p, { source: 'bench', facts }));
  rows.push({ name: `planCapacity, ${n.toLocaleString('en')} created jobs × 100 agents`, value: Math.round(ms), unit: 'ms CPU', note: `${cap.entries.length} entries judged, 24 demand hours` });

  const shapes = [1, 4, 16, 64].map((cpus) => ({ resources: { cpus, mem: 1024, disk: 0, gpus: 0, ports: 0 }, constraints: [] }));
  const runs: Run[] = Array.from({ length: n }, (_, i) => ({
    id: `job-${i}@x`, job: `job-${i % 4}`, trigger: 'schedule', scheduledAt: NOW, revision: 'r', state: 'pending',
    attempts: [{ n: 1, taskId: `t${i}`, intentAt: NOW, notBefore: NOW }], createdAt: NOW,
  }));
  const needOf = (r: Run) => shapes[Number(r.job.slice(4))];
  cpuMs(() => unschedulableChanges(waitingRuns(runs, needOf), facts, NOW + 600_000, 300_000));
  const [changes, checkMs] = cpuMs(() => unschedulableChanges(waitingRuns(runs, needOf), facts, NOW + 600_000, 300_000));
  rows.push({ name: `unschedulable check, ${n.toLocaleString('en')} waiting runs × 100 agents`, value: Math.round(checkMs * 10) / 10, unit: 'ms CPU', note: `${changes.length} runs judged unschedulable (one verdict per shape)` });
  return rows;
}
