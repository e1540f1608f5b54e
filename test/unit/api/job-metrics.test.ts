import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../../../src/api/access.js';
import type { Run } from '../../../src/core/run.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import type { OutboxEntry } from '../../../src/notify/events.js';
import { FakeClock } from '../../support/fake-clock.js';
import { makeApi, sample } from './harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const T = Date.parse('2026-03-08T01:00:00Z');
const run = (over: Partial<Run>): Run => ({ id: 'etl@1', job: 'etl', trigger: 'schedule', scheduledAt: T, revision: 'r', state: 'succeeded', attempts: [{ n: 1, taskId: 't', intentAt: T, notBefore: T, startedAt: T + 30_000 }], createdAt: T, endedAt: T + 90_000, ...over });

describe('per-job metrics', () => {
  it('labels runs, durations, pending time and SLA misses by job, and drops a job that left the store', async () => {
    const m = new Metrics(new FakeClock());
    m.jobs.recordStarted(run({}), T + 30_000);
    m.jobs.recordRunEnded(run({}));
    m.jobs.recordRunEnded(run({ id: 'etl@2', state: 'failed' }));
    m.jobs.recordSlaMissed('etl');
    m.jobs.recordRunEnded(run({ id: 'old@1', job: 'old' }));
    m.jobs.observeJobs([{ name: 'etl', runs: [run({ id: 'etl@2', state: 'failed', endedAt: T + 100_000 }), run({})] }, { name: 'old', runs: [] }]);
    let text = await m.render();
    expect(sample(text, 'kairos_job_runs_total{job="etl",outcome="succeeded"}')).toBe(1);
    expect(sample(text, 'kairos_job_runs_total{job="etl",outcome="failed"}')).toBe(1);
    expect(sample(text, 'kairos_job_run_duration_seconds_sum{job="etl"}')).toBe(120);
    expect(sample(text, 'kairos_job_pending_seconds_sum{job="etl"}')).toBe(30);
    expect(sample(text, 'kairos_job_sla_missed_total{job="etl"}')).toBe(1);
    expect(sample(text, 'kairos_job_last_success_timestamp_seconds{job="etl"}')).toBe((T + 90_000) / 1000);
    expect(sample(text, 'kairos_job_last_failure_timestamp_seconds{job="etl"}')).toBe((T + 100_000) / 1000);
    expect(sample(text, 'kairos_job_runs_total{job="old",outcome="succeeded"}')).toBe(1);

    m.jobs.observeJobs([{ name: 'etl', runs: [] }]);
    text = await m.render();
    expect(text).not.toContain('job="old"');
    expect(sample(text, 'kairos_job_runs_total{job="etl",outcome="succeeded"}')).toBe(1);
    expect(sample(text, 'kairos_job_last_success_timestamp_seconds{job="etl"}')).toBeUndefined();
  });

  it('counts each job\'s unschedulable runs at scrape time, and drops the series once none is left', async () => {
    const m = new Metrics(new FakeClock());
    const stuck = (id: string) => run({ id, state: 'unschedulable', endedAt: undefined, reason: 'needs cpus 4 but the largest agent has 2' });
    m.jobs.observeJobs([{ name: 'reindex', runs: [stuck('reindex@1'), stuck('reindex@2'), run({ id: 'reindex@0', job: 'reindex' })] }, { name: 'etl', runs: [run({})] }]);
    let text = await m.render();
    expect(sample(text, 'kairos_job_unschedulable_runs{job="reindex"}')).toBe(2);
    expect(sample(text, 'kairos_job_unschedulable_runs{job="etl"}')).toBeUndefined();
    m.jobs.observeJobs([{ name: 'reindex', runs: [run({ id: 'reindex@1', job: 'reindex', state: 'running', endedAt: undefined })] }]);
    text = await m.render();
    expect(sample(text, 'kairos_job_unschedulable_runs{job="reindex"}')).toBeUndefined();
  });

  it('serves per-job timestamps from the view, and prom-client process metrics', async () => {
    const h = makeApi();
    app = h.app;
    const body = (await app.inject('/metrics')).body;
    expect(sample(body, 'kairos_job_last_success_timestamp_seconds{job="nightly"}')).toBe(h.clock.now() / 1000);
    expect(body).not.toContain('kairos_job_last_success_timestamp_seconds{job="report"}');
    expect(body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(body).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('--metrics-public opens /metrics only: the rest still needs a token', async () => {
    const h = makeApi({ access: accessConfig([{ name: 'v', role: 'viewer', token: 'viewer-token-0123456789' }]), metricsPublic: true });
    app = h.app;
    expect((await app.inject('/metrics')).statusCode).toBe(200);
    expect((await app.inject('/v1/jobs')).statusCode).toBe(401);
  });
});

describe('GET /v1/notifications', () => {
  const entry: OutboxEntry = {
    id: 'nightly@1~failed',
    event: 'failed',
    job: 'nightly',
    run: { id: 'nightly@1', state: 'failed', scheduledAt: T, attempts: 1 },
    at: T,
    targets: [{ target: { slack: { url: { env: 'SLACK_URL' } } }, delivered: false }],
    attempts: 8,
    nextAt: T,
    status: 'failed',
    lastError: 'slack: HTTP 404 Not Found',
  };

  it('lists the outbox for viewers, with secret references, and is empty without notifications', async () => {
    const h = makeApi({ access: accessConfig([{ name: 'v', role: 'viewer', token: 'viewer-token-0123456789' }]), notifications: async () => [entry] });
    app = h.app;
    expect((await app.inject('/v1/notifications')).statusCode).toBe(401);
    const res = await app.inject({ url: '/v1/notifications', headers: { authorization: 'Bearer viewer-token-0123456789' } });
    expect(res.json()).toEqual({ notifications: [entry] });
    const bare = makeApi();
    expect((await bare.app.inject('/v1/notifications')).json()).toEqual({ notifications: [] });
    await bare.app.close();
  });
});
