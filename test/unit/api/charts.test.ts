import { describe, expect, it } from 'vitest';
import { backfillProgress } from '../../../src/api/backfills.js';
import { jobStats, percentile } from '../../../src/api/stats.js';
import { DEFAULT_EXPECTED_MS, expectedDuration, peakPerHour, timeline } from '../../../src/api/timeline.js';
import type { Run } from '../../../src/core/run.js';
import { compileSchedule } from '../../../src/schedule/index.js';
import { dag, job, T } from '../schedule/harness.js';
import { makeApi } from './harness.js';

const auth = {};
const at = (m: number) => T('2026-03-01T00:00:00Z') + m * 60_000;

function run(id: string, state: Run['state'], startMin: number | undefined, endMin: number | undefined, over: Partial<Run> = {}): Run {
  const attempts = startMin === undefined ? [] : [{ n: 1, taskId: `t-${id}`, intentAt: at(startMin), notBefore: at(startMin), startedAt: at(startMin), ...(endMin !== undefined && { endedAt: at(endMin) }) }];
  return { id, job: id.split('@')[0], trigger: 'schedule', scheduledAt: at(startMin ?? 0), revision: 'r', state, attempts, createdAt: at(0), ...(endMin !== undefined && { endedAt: at(endMin) }), ...over };
}

describe('jobStats', () => {
  it('gives durations per run, success rate over runs that ran and nearest-rank p50/p95', () => {
    const runs = [run('j@1', 'succeeded', 0, 10), run('j@2', 'failed', 20, 21), run('j@3', 'succeeded', 40, 44), run('j@4', 'missed', undefined, 50, { scheduledAt: at(50) }), run('j@5', 'running', 60, undefined)];
    const s = jobStats(job('j', { timeoutSeconds: 900 }).resource, [...runs].reverse());
    expect(s.points.map((p) => [p.id, p.durationMs])).toEqual([['j@1', 600_000], ['j@2', 60_000], ['j@3', 240_000], ['j@4', undefined], ['j@5', undefined]]);
    expect(s).toMatchObject({ finished: 3, successRate: 2 / 3, p50Ms: 240_000, p95Ms: 600_000, timeoutSeconds: 900, counts: { succeeded: 2, failed: 1, missed: 1, running: 1 }, rows: ['j'] });
    expect(s.columns.map((c) => c.cells.j.state)).toEqual(['succeeded', 'failed', 'succeeded', 'missed', 'running']);
    expect(jobStats(job('j').resource, runs, { points: 2, columns: 1 })).toMatchObject({ points: [{ id: 'j@4' }, { id: 'j@5' }], columns: [{ runId: 'j@5' }] });
    expect(jobStats(job('j', { sla: { finishWithinSeconds: 1200 } }).resource, runs)).toMatchObject({ slaSeconds: 1200 });
    expect(s).not.toHaveProperty('slaSeconds');
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('puts a DAG run in one column with a cell per task, timed from its first task', () => {
    const d = dag('d', [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }]).resource;
    const top = run('d@1', 'failed', undefined, 30, { attempts: [] });
    const tasks = [run('d@1/a', 'succeeded', 5, 10, { dagRunId: 'd@1', task: 'a' }), run('d@1/b', 'failed', 12, 30, { dagRunId: 'd@1', task: 'b' })];
    const s = jobStats(d, [top, ...tasks]);
    expect(s.rows).toEqual(['a', 'b']);
    expect(s.columns).toEqual([{ runId: 'd@1', scheduledAt: top.scheduledAt, state: 'failed', cells: { a: { runId: 'd@1/a', state: 'succeeded' }, b: { runId: 'd@1/b', state: 'failed' } } }]);
    expect(s.points[0].durationMs).toBe(25 * 60_000);
  });
});

describe('timeline', () => {
  const now = T('2026-03-01T00:00:00Z');
  const hourly = { kind: 'cron' as const, expression: '0 * * * *', timeZone: 'UTC' };

  it('expects the median of recent successes, else the timeout, else a default', () => {
    const points = [run('j@1', 'succeeded', 0, 10), run('j@2', 'failed', 20, 80), run('j@3', 'succeeded', 40, 46), run('j@4', 'succeeded', 50, 70)];
    expect(expectedDuration(jobStats(job('j').resource, points))).toEqual({ expectedMs: 600_000, expectedFrom: 'history' });
    expect(expectedDuration({ points: [], timeoutSeconds: 120 })).toEqual({ expectedMs: 120_000, expectedFrom: 'timeout' });
    expect(expectedDuration({ points: [] })).toEqual({ expectedMs: DEFAULT_EXPECTED_MS, expectedFrom: 'default' });
  });

  it('lists upcoming runs and stacks their peak demand per hour against capacity', () => {
    const input = (name: string, cpus: number, expectedMs: number, schedule = hourly) => ({
      resource: job(name).resource,
      schedule: compileSchedule(schedule),
      demand: { cpus, mem: cpus * 1024 },
      expectedMs,
      expectedFrom: 'history' as const,
    });
    const t = timeline([input('a', 2, 30 * 60_000), input('b', 1, 90 * 60_000, { kind: 'cron', expression: '0 */6 * * *', timeZone: 'UTC' }), { ...input('idle', 5, 1), schedule: undefined }], now, 24, { cpus: 4, mem: 8192, agents: 1 });
    expect(t.jobs.map((j) => [j.job, j.count])).toEqual([['a', 24], ['b', 4]]);
    expect(t.runs.slice(0, 3).map((r) => `${r.job}@${new Date(r.at).toISOString().slice(11, 16)}`)).toEqual(['a@00:00', 'b@00:00', 'a@01:00']);
    // hours 0 and 1: a (2 cpus) and b (1 cpu, 00:00-01:30) both run; hour 2: a only
    expect(t.hours.slice(0, 3).map((h) => h.cpus)).toEqual([3, 3, 2]);
    expect(t.hours[0].byJob).toEqual([{ job: 'a', cpus: 2, mem: 2048 }, { job: 'b', cpus: 1, mem: 1024 }]);
    expect(t.hours).toHaveLength(24);
    expect(t.capacity).toEqual({ cpus: 4, mem: 8192, agents: 1 });
    expect(t.to - t.from).toBe(24 * 3_600_000);
  });
});

describe('peakPerHour', () => {
  it('counts the most runs active at once in each hour, across hour boundaries', () => {
    const H = 3_600_000;
    // runs of 90 min every 30 min from 00:00: up to 3 at once from 01:00 on
    const starts = [0, 0.5, 1, 1.5, 2].map((x) => x * H);
    expect(peakPerHour(starts, 1.5 * H, 0, 5)).toEqual([2, 3, 3, 1, 0]);
    expect(peakPerHour([0.25 * H], 10 * 60_000, 0, 2)).toEqual([1, 0]);
    expect(peakPerHour([], H, 0, 2)).toEqual([0, 0]);
  });
});

describe('backfillProgress', () => {
  it('groups runs by backfill with queued, active and finished counts', () => {
    const tag = { id: 'backfill-2026-03-01T00:00:00.000Z', maxParallel: 2 };
    const runs = [run('j@1', 'succeeded', 0, 1, { backfill: tag }), run('j@2', 'running', 2, undefined, { backfill: tag }), run('j@3', 'pending', undefined, undefined, { backfill: tag }), run('j@4', 'failed', 3, 4, { backfill: tag }), run('j@5', 'succeeded', 5, 6)];
    expect(backfillProgress(runs)).toEqual([{ id: tag.id, job: 'j', maxParallel: 2, total: 4, queued: 1, active: 1, succeeded: 1, failed: 1, done: false, runs: expect.any(Array) }]);
  });
});

describe('chart and backfill routes', () => {
  it('serves stats, timeline and backfills; 404 for an unknown job; bad query 400', async () => {
    const { app } = makeApi();
    const stats = await app.inject({ url: '/v1/jobs/nightly/stats', headers: auth });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ job: 'nightly', finished: 1, successRate: 1, rows: ['nightly'] });
    expect((await app.inject('/v1/jobs/nope/stats')).statusCode).toBe(404);
    expect((await app.inject('/v1/jobs/nightly/stats?points=0')).json().error.message).toBe('points: must be an integer from 1 to 10000');
    const tl = (await app.inject('/v1/timeline?hours=48')).json();
    expect(tl.jobs.map((j: { job: string; count: number }) => [j.job, j.count])).toEqual([['nightly', 2]]);
    expect(tl.hours).toHaveLength(48);
    expect((await app.inject('/v1/jobs/nightly/backfills')).json()).toEqual([]);
  });

  it('validates a backfill body naming the field, answers 201, or 200 for a dry run', async () => {
    const { app, ctl } = makeApi();
    const post = (payload: unknown) => app.inject({ method: 'POST', url: '/v1/jobs/nightly/backfill', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
    expect((await post({ from: '2026-03-01', to: '2026-03-02T00:00:00Z' })).json().error.message).toBe('from: expected an ISO 8601 instant with a zone, e.g. 2026-03-01T00:00:00Z');
    expect((await post({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', parallel: 2 })).json().error.message).toBe('parallel: unknown field (expected from, to, maxParallel, rerun, dryRun)');
    expect((await post({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z', rerun: 'some' })).statusCode).toBe(400);
    expect((await post({ from: '2026-03-01T00:00:00Z', to: '2026-03-09T00:00:00Z' })).json().error.message).toMatch(/^to: is in the future/);
    const dry = await post({ from: '2026-03-05T00:00:00Z', to: '2026-03-08T01:00:00Z', dryRun: true });
    expect(dry.statusCode).toBe(200);
    // 02:00 Europe/Berlin on the 5th, 6th and 7th; the 8th's ran already
    expect(dry.json().instants.map((i: { runId: string; action: string }) => `${i.runId} ${i.action}`)).toEqual([
      'nightly@2026-03-05T01:00:00.000Z run',
      'nightly@2026-03-06T01:00:00.000Z run',
      'nightly@2026-03-07T01:00:00.000Z run',
      'nightly@2026-03-08T01:00:00.000Z skip',
    ]);
    expect((await post({ from: '2026-03-05T00:00:00Z', to: '2026-03-08T00:00:00Z', maxParallel: 2 })).statusCode).toBe(201);
    expect(ctl.calls.at(-1)).toEqual(['backfill', 'nightly', { from: T('2026-03-05T00:00:00Z'), to: T('2026-03-08T00:00:00Z'), maxParallel: 2 }]);
    const report = await app.inject({ method: 'POST', url: '/v1/jobs/report/backfill', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ from: '2026-03-05T00:00:00Z', to: '2026-03-08T00:00:00Z' }) });
    expect([report.statusCode, report.json().error.message]).toEqual([400, 'report has no schedule']);
    const documented = (await app.inject('/v1/openapi.json')).json().paths['/v1/jobs/{name}/backfill'].post.responses;
    for (const status of [200, 201, 400, 404]) expect(documented).toHaveProperty(String(status));
    expect((await app.inject({ method: 'POST', url: '/v1/jobs/nope/backfill', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ from: '2026-03-05T00:00:00Z', to: '2026-03-08T00:00:00Z' }) })).statusCode).toBe(404);
  });
});
