/**
 * API cost at the scale Kairos is built for: 2,000 jobs with 5 runs each behind the
 * in-memory controller double, requests through `app.inject` (no socket, so this is the
 * API's own cost: routing, auth, filtering, serialisation, masking), plus `/metrics`
 * rendering and `explain`. Median of repeated requests, after a warm-up.
 */
import { performance } from 'node:perf_hooks';
import { accessConfig } from '../src/api/access.js';
import { makeApi } from '../test/unit/api/harness.js';
import type { BenchRow } from './run.js';

export const title = 'API (bench/api.bench.ts)';

const JOBS = 2_000;
const REPS = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export default async function bench(): Promise<BenchRow[]> {
  const token = 'bench-viewer-token-0123456789';
  const h = makeApi({ access: accessConfig([{ name: 'bench', role: 'viewer', token }]), secretValues: () => ['some-secret-value-1', 'some-secret-value-2'] });
  for (let i = 0; i < JOBS; i++) {
    const name = `job-${i}`;
    h.ctl.addJob(name, { owner: `team-${i % 20}`, labels: { team: `t${i % 20}` }, spec: { schedule: { kind: 'cron', expression: '*/5 * * * *', timeZone: 'UTC' } }, nextRuns: [h.clock.now() + 60_000] });
    for (let r = 0; r < 5; r++) h.ctl.addRun({ id: `${name}@${r}`, job: name, state: r === 4 ? 'failed' : 'succeeded', scheduledAt: h.clock.now() - r * 300_000 });
  }
  const headers = { authorization: `Bearer ${token}` };
  const time = async (url: string) => {
    for (let i = 0; i < 5; i++) await h.app.inject({ url, headers });
    const ms: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      const res = await h.app.inject({ url, headers });
      ms.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
      bytes = res.rawPayload.length;
    }
    return { ms: median(ms), bytes };
  };
  const all = await time('/v1/jobs');
  const filtered = await time('/v1/jobs?label=team=t3');
  const one = await time('/v1/jobs/job-1234');
  const why = await time('/v1/jobs/job-1234/explain');
  const graph = await time('/v1/graph?format=dot');
  const metrics = await time('/metrics');
  await h.app.close();
  const r = (x: number) => Math.round(x * 100) / 100;
  return [
    { name: `GET /v1/jobs, ${JOBS} jobs`, value: r(all.ms), unit: 'ms', note: `${Math.round(all.bytes / 1024)} KiB body` },
    { name: 'GET /v1/jobs?label=team=t3 (100 of them)', value: r(filtered.ms), unit: 'ms' },
    { name: 'GET /v1/jobs/{name}', value: r(one.ms), unit: 'ms' },
    { name: 'GET /v1/jobs/{name}/explain', value: r(why.ms), unit: 'ms' },
    { name: `GET /v1/graph?format=dot, ${JOBS} nodes`, value: r(graph.ms), unit: 'ms' },
    { name: 'GET /metrics', value: r(metrics.ms), unit: 'ms' },
  ];
}
