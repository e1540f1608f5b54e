/**
 * Mesos framework figures: offer matching time (10,000 pending tasks × 1,000 offers,
 * target < 50 ms) and end-to-end launch throughput against the embedded master with
 * 1,000 simulated agents and 100,000 queued tasks (target ≥ 5,000 launches/s).
 */
import type { BenchRow } from './run.js';
import { matchOffers, type Demand, type MatchOffer } from '../src/mesos/matcher.js';
import { needOf } from '../src/mesos/resources.js';

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

export default async function (): Promise<BenchRow[]> {
  return [...(await matching())];
}
