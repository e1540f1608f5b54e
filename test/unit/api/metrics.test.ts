import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../../../src/api/access.js';
import { RateLimiter } from '../../../src/api/rate-limit.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { FakeClock } from '../../support/fake-clock.js';
import { makeApi, sample } from './harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('metrics', () => {
  it('records run outcomes, launch latency and dispatch lateness', async () => {
    const clock = new FakeClock('2026-03-08T12:00:00Z');
    const m = new Metrics(clock);
    m.recordRunEnded('succeeded');
    m.recordRunEnded('succeeded');
    m.recordRunEnded('failed');
    m.recordLaunch(1000, 1300);
    m.recordLaunch(1000, 4000);
    m.recordDispatch(1000, 1020);
    m.recordReconcile('sync', 42);
    const text = await m.render();
    expect(sample(text, 'kairos_runs_total{outcome="succeeded"}')).toBe(2);
    expect(sample(text, 'kairos_runs_total{outcome="failed"}')).toBe(1);
    expect(sample(text, 'kairos_launch_latency_seconds_count')).toBe(2);
    expect(sample(text, 'kairos_launch_latency_seconds_sum')).toBeCloseTo(3.3);
    expect(sample(text, 'kairos_launch_latency_seconds_bucket{le="0.5"}')).toBe(1);
    expect(sample(text, 'kairos_launch_latency_seconds_bucket{le="5"}')).toBe(2);
    expect(sample(text, 'kairos_dispatch_lateness_seconds_sum')).toBeCloseTo(0.02);
    expect(sample(text, 'kairos_reconcile_duration_seconds_count{kind="sync"}')).toBe(1);
  });

  it('turns cumulative framework counters into counters that survive a framework restart', async () => {
    const clock = new FakeClock('2026-03-08T12:00:00Z');
    const m = new Metrics(clock);
    const status = { connected: true, starving: false, offersReceived: 10, offersDeclined: 4, revives: 1, suppressed: false };
    m.observeCluster(status);
    m.observeCluster({ ...status, offersReceived: 15 });
    m.observeCluster({ ...status, offersReceived: 3, offersDeclined: 0, revives: 0 });
    const text = await m.render();
    expect(sample(text, 'kairos_offers_received_total')).toBe(18);
    expect(sample(text, 'kairos_offers_declined_total')).toBe(4);
    expect(sample(text, 'kairos_revives_total')).toBe(1);
  });

  it('serves /metrics with sync, leader, pending and starvation observed at scrape time', async () => {
    const h = makeApi();
    app = h.app;
    h.ctl.syncStatus = { ...h.ctl.syncStatus, appliedAt: h.clock.now() - 90_000 };
    h.ctl.clusterStatus = { ...h.ctl.clusterStatus, starving: true, lastOfferAt: h.clock.now() - 30_000, pending: [{ taskId: 't', runId: 'r', since: 0, reason: 'x' }] };
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(sample(res.body, 'kairos_leader')).toBe(1);
    expect(sample(res.body, 'kairos_sync_ok')).toBe(1);
    expect(sample(res.body, 'kairos_applied_revision_age_seconds')).toBe(90);
    expect(sample(res.body, 'kairos_pending_tasks')).toBe(1);
    expect(sample(res.body, 'kairos_starvation_seconds')).toBe(30);
    h.leadership.leader = false;
    h.ctl.syncStatus = { ...h.ctl.syncStatus, result: 'failed' };
    const after = (await app.inject('/metrics')).body;
    expect(sample(after, 'kairos_leader')).toBe(0);
    expect(sample(after, 'kairos_sync_ok')).toBe(0);
  });

  it('reports starvation when no offer was ever received, from when demand started waiting', async () => {
    const h = makeApi();
    app = h.app;
    h.ctl.clusterStatus = { ...h.ctl.clusterStatus, starving: true, starvingSince: h.clock.now() - 240_000, lastOfferAt: undefined };
    expect(sample((await app.inject('/metrics')).body, 'kairos_starvation_seconds')).toBe(240);
    expect((await app.inject('/v1/cluster')).json()).toMatchObject({ starving: true, starvingSince: h.clock.now() - 240_000 });
    h.clock.advance(60_000);
    expect(sample((await app.inject('/metrics')).body, 'kairos_starvation_seconds')).toBe(300);
  });

  it('keeps registries apart: two controllers in one process do not collide', async () => {
    const a = new Metrics(new FakeClock());
    const b = new Metrics(new FakeClock());
    a.recordRunEnded('failed');
    expect(sample(await b.render(), 'kairos_runs_total{outcome="failed"}')).toBeUndefined();
  });

  it('needs a viewer token for /metrics when access control is on', async () => {
    const h = makeApi({ access: accessConfig([{ name: 'prom', role: 'viewer', token: 'prometheus-token-012345' }]) });
    app = h.app;
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const ok = await app.inject({ url: '/metrics', headers: { authorization: 'Bearer prometheus-token-012345' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('# TYPE kairos_runs_total counter');
  });
});

describe('rate limiter', () => {
  it('allows a burst, then one request per refill interval, and never refills on a clock stepping back', () => {
    const clock = new FakeClock('2026-03-08T12:00:00Z');
    const rl = new RateLimiter(clock, { perMinute: 60, burst: 3 });
    expect([rl.take('a'), rl.take('a'), rl.take('a')].every((d) => d.ok)).toBe(true);
    expect(rl.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(rl.take('b').ok).toBe(true);
    clock.advance(1000);
    expect(rl.take('a').ok).toBe(true);
    expect(rl.take('a').ok).toBe(false);
    clock.set('2026-03-08T11:00:00Z');
    expect(rl.take('a').ok).toBe(false);
  });
});
