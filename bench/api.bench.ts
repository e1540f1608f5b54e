/**
 * API cost at the scale Kairos is built for: 2,000 jobs with 5 runs each behind the
 * in-memory controller double, requests through `app.inject` (no socket, so this is the
 * API's own cost: routing, auth, filtering, serialisation, masking), plus `/metrics`
 * rendering and `explain`. Median of repeated requests, after a warm-up. Then the same API
 * on a real socket under 100 concurrent keep-alive clients: latency percentiles.
 * `GET /v1/jobs/{name}/stats` is measured on the controller's real read path instead:
 * StateView over a RunLedger holding 10,000 runs of one job (target < 20 ms).
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../src/api/access.js';
import { RunLedger } from '../src/controller/run-ledger.js';
import { ControllerState } from '../src/controller/state.js';
import { StateView } from '../src/controller/view.js';
import type { Run } from '../src/core/run.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { makeApi } from '../test/unit/api/harness.js';
import { job } from '../test/unit/schedule/harness.js';
import type { BenchRow } from './run.js';

export const title = 'API (bench/api.bench.ts)';

const JOBS = 2_000;
const REPS = 40;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const HISTORY = 10_000;

/** A StateView whose one job `big` has HISTORY finished runs, a tenth of them failed. */
async function bigHistoryView(now: number): Promise<StateView> {
  const store = new MemoryStore();
  const state = new ControllerState(store);
  state.applied.set('big', job('big', { timeoutSeconds: 600, schedule: { kind: 'cron', expression: '*/5 * * * *', timeZone: 'UTC' }, history: { succeeded: HISTORY, failed: HISTORY } }));
  const ledger = new RunLedger(store);
  for (let i = 0; i < HISTORY; i++) {
    const at = now - (HISTORY - i) * 300_000;
    const start = at + 1000;
    const end = start + 60_000 + ((i * 7919) % 240_000);
    const run: Run = {
      id: `big@${new Date(at).toISOString()}`, job: 'big', trigger: 'schedule', scheduledAt: at, revision: 'r1', state: i % 10 === 3 ? 'failed' : 'succeeded',
      attempts: [{ n: 1, taskId: `t${i}`, intentAt: at, notBefore: at, startedAt: start, endedAt: end, agentId: 'a1', hostname: 'agent-1', exitStatus: i % 10 === 3 ? 1 : 0 }],
      createdAt: at, endedAt: end,
    };
    await ledger.create(run);
  }
  const framework = { pending: () => [], status: () => ({ connected: true, starving: false, offersReceived: 0, offersDeclined: 0, revives: 0, suppressed: false }) };
  return new StateView({ state, ledger, framework, clock: { now: () => now } as never, source: 'bench', plan: () => Promise.reject(new Error('not benched')) });
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
  const timeOn = async (app: typeof h.app, url: string) => {
    for (let i = 0; i < 5; i++) await app.inject({ url, headers });
    const ms: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const res = await app.inject({ url, headers });
      const c = process.cpuUsage(c0);
      ms.push(performance.now() - t0);
      cpu.push((c.user + c.system) / 1000);
      if (res.statusCode !== 200) throw new Error(`${url}: HTTP ${res.statusCode}`);
      bytes = res.rawPayload.length;
    }
    return { ms: median(ms), cpu: median(cpu), bytes };
  };
  const time = (url: string) => timeOn(h.app, url);
  const all = await time('/v1/jobs');
  const filtered = await time('/v1/jobs?label=team=t3');
  const one = await time('/v1/jobs/job-1234');
  const why = await time('/v1/jobs/job-1234/explain');
  const graph = await time('/v1/graph?format=dot');
  const metrics = await time('/metrics');
  const load = await underLoad(h.app, headers);
  await h.app.close();
  const big = makeApi({ access: accessConfig([{ name: 'bench', role: 'viewer', token }]), view: await bigHistoryView(h.clock.now()) });
  const stats = await timeOn(big.app, '/v1/jobs/big/stats');
  const statsAll = await timeOn(big.app, '/v1/jobs/big/stats?points=10000');
  await big.app.close();
  const r = (x: number) => Math.round(x * 100) / 100;
  return [
    { name: `GET /v1/jobs, ${JOBS} jobs`, value: r(all.ms), unit: 'ms', note: `${Math.round(all.bytes / 1024)} KiB body` },
    { name: 'GET /v1/jobs?label=team=t3 (100 of them)', value: r(filtered.ms), unit: 'ms' },
    { name: 'GET /v1/jobs/{name}', value: r(one.ms), unit: 'ms' },
    { name: 'GET /v1/jobs/{name}/explain', value: r(why.ms), unit: 'ms' },
    { name: `GET /v1/graph?format=dot, ${JOBS} nodes`, value: r(graph.ms), unit: 'ms' },
    { name: 'GET /metrics', value: r(metrics.ms), unit: 'ms' },
    { name: `${CLIENTS} concurrent clients, GET /v1/jobs/{name} and /explain: p50`, value: r(load.p50), unit: 'ms', note: `${load.n} requests over a socket, keep-alive` },
    { name: `${CLIENTS} concurrent clients: p99`, value: r(load.p99), unit: 'ms', note: `${Math.round(load.rps)} requests/s` },
    { name: `GET /v1/jobs/{name}/stats, ${HISTORY} runs of history`, value: r(stats.ms), unit: 'ms', note: `median wall; CPU ${r(stats.cpu)} ms; controller read path (StateView + RunLedger); 500 points, 40 grid columns, ${Math.round(stats.bytes / 1024)} KiB body; target < 20 ms` },
    { name: `GET /v1/jobs/{name}/stats?points=${HISTORY}, ${HISTORY} runs`, value: r(statsAll.ms), unit: 'ms', note: `CPU ${r(statsAll.cpu)} ms; every run as a point, ${Math.round(statsAll.bytes / 1024)} KiB body` },
  ];
}

const CLIENTS = 100;
const PER_CLIENT = 50;

/** 100 clients, each sending its requests one after another over a kept-alive socket. */
async function underLoad(app: FastifyInstance, headers: Record<string, string>): Promise<{ p50: number; p99: number; n: number; rps: number }> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const get = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  // Each client connects first (not measured): the figure is the API's, not TCP set-up's.
  await Promise.all(Array.from({ length: CLIENTS }, () => get('/healthz')));
  const ms: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const t = performance.now();
        await get(i % 2 ? `/v1/jobs/job-${(c * 37 + i) % JOBS}` : `/v1/jobs/job-${(c * 53 + i) % JOBS}/explain`);
        ms.push(performance.now() - t);
      }
    }),
  );
  const wall = performance.now() - t0;
  agent.destroy();
  const s = ms.sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)], p99: s[Math.floor(s.length * 0.99)], n: s.length, rps: (s.length / wall) * 1000 };
}
