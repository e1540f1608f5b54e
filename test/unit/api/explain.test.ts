import { describe, expect, it } from 'vitest';
import { explain, type ExplainFacts } from '../../../src/api/explain.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryController } from './memory-controller.js';

const T = Date.parse('2026-03-08T12:00:00Z');

/** Facts for job `name` of a fresh double set up by `arrange`. */
function facts(name: string, arrange: (c: MemoryController) => void, over: Partial<ExplainFacts> = {}): ExplainFacts {
  const ctl = new MemoryController(new FakeClock(T));
  arrange(ctl);
  const job = ctl.job(name)!;
  return {
    job,
    parents: Object.fromEntries(job.after.map((p) => [p, ctl.job(p)])),
    cluster: ctl.cluster(),
    sync: ctl.sync(),
    leader: { isLeader: true },
    now: T,
    ...over,
  };
}
const codes = (f: ExplainFacts) => explain(f).reasons.map((r) => r.code);
const cron = { schedule: { kind: 'cron' as const, expression: '*/5 * * * *', timeZone: 'UTC' } };

describe('explain', () => {
  it('says when the next run is for an idle scheduled job', () => {
    const e = explain(facts('a', (c) => c.addJob('a', { spec: cron, nextRuns: [T + 120_000] })));
    expect(e).toEqual({
      job: 'a',
      running: false,
      summary: 'next run at 2026-03-08T12:02:00.000Z (in 2m) by cron */5 * * * * (UTC)',
      reasons: [{ code: 'scheduled', message: 'next run at 2026-03-08T12:02:00.000Z (in 2m) by cron */5 * * * * (UTC)' }],
    });
  });

  it('puts not-leader and a failed sync first, naming the problem file:line', () => {
    const f = facts('a', (c) => {
      c.addJob('a', { spec: cron, nextRuns: [T + 60_000] });
      c.syncStatus = { ...c.syncStatus, result: 'failed', message: '1 problem', problems: [{ file: 'jobs/a.yaml', line: 4, column: 3, path: 'spec.schedule', message: 'bad cron' }] };
    }, { leader: { isLeader: false, leaderUrl: 'http://10.0.0.2:4400' } });
    const e = explain(f);
    expect(codes(f)).toEqual(['not-leader', 'sync-failed', 'scheduled']);
    expect(e.summary).toBe('this controller is not the leader; the leader at http://10.0.0.2:4400 schedules runs');
    expect(e.reasons[1].message).toBe('the last sync failed, so revision abc1234 stays applied: 1 problem (jobs/a.yaml:4:3 spec.schedule: bad cron)');
  });

  it('names suspend with its manifest location, and pause as drift', () => {
    expect(explain(facts('a', (c) => c.addJob('a', { spec: { ...cron, suspend: true }, file: 'jobs/a.yaml' }))).summary).toBe('suspend: true in jobs/a.yaml:1');
    const paused = facts('a', (c) => {
      c.addJob('a', { spec: cron });
      c.jobsByName.get('a')!.paused = true;
      c.jobsByName.get('a')!.pausedAt = T - 600_000;
    });
    expect(explain(paused).summary).toBe('paused through the API 10m ago (drift from git); resume to schedule again');
  });

  it('reports a running run and Forbid', () => {
    const f = facts('a', (c) => {
      c.addJob('a', { spec: { ...cron, concurrencyPolicy: 'Forbid' }, nextRuns: [T + 1000] });
      c.addRun({ id: 'a@x', job: 'a', state: 'pending' });
      c.transition('a@x', 'running', { hostname: 'node-7' });
    });
    const e = explain(f);
    expect(e.running).toBe(true);
    expect(e.reasons.map((r) => r.code)).toEqual(['running', 'concurrency-forbid']);
    expect(e.summary).toBe('run a@x is running on node-7 for 0s');
  });

  it('lists the parents a child still waits for', () => {
    const f = facts('child', (c) => {
      c.addJob('p1');
      c.addJob('p2');
      c.addJob('child', { spec: { after: ['p1', 'p2', 'gone'] } });
      c.addRun({ id: 'p1@1', job: 'p1', state: 'succeeded', scheduledAt: T - 1000 });
      c.addRun({ id: 'child@0', job: 'child', state: 'succeeded', scheduledAt: T - 5000 });
      c.addRun({ id: 'p2@0', job: 'p2', state: 'succeeded', scheduledAt: T - 9000 });
    });
    expect(explain(f).summary).toBe('waiting for a new successful run of: p2, gone (not applied)');
  });

  it('explains a pending run: which resource does not fit, starvation, retry backoff', () => {
    const f = facts('a', (c) => {
      c.addJob('a', { spec: cron });
      c.addRun({ id: 'a@1', job: 'a', state: 'pending' });
      c.clusterStatus = { ...c.clusterStatus, starving: true, lastOfferAt: T - 300_000, revives: 3, pending: [{ taskId: 't', runId: 'a@1', since: T - 90_000, reason: 'no offer has gpus: 1 (largest offer: 0)' }] };
    });
    expect(explain(f).reasons).toEqual([
      { code: 'no-offer-fits', message: 'run a@1 pending for 1m30s: no offer has gpus: 1 (largest offer: 0)' },
      { code: 'starving', message: 'no offers from Mesos for 5m (revives sent: 3)' },
      { code: 'schedule-exhausted', message: 'the schedule cron */5 * * * * (UTC) has no further instants' },
    ]);
    const neverFed = facts('a', (c) => {
      c.addJob('a', { spec: cron });
      c.clusterStatus = { ...c.clusterStatus, starving: true, starvingSince: T - 240_000, lastOfferAt: undefined, revives: 2 };
    });
    expect(explain(neverFed).reasons).toContainEqual({ code: 'starving', message: 'no offers from Mesos for 4m (revives sent: 2)' });
    const retry = facts('a', (c) => {
      c.addJob('a', { spec: cron, nextRuns: [T + 60_000] });
      c.addRun({ id: 'a@1', job: 'a', state: 'pending', attempts: [{ n: 2, taskId: 't', intentAt: T, notBefore: T + 30_000 }] });
    });
    expect(explain(retry).summary).toBe('run a@1 retries attempt 2 at 2026-03-08T12:00:30.000Z (in 30s)');
  });

  it('says when the framework is not connected, and when a job only runs by hand', () => {
    const f = facts('a', (c) => {
      c.addJob('a');
      c.clusterStatus = { ...c.clusterStatus, connected: false, master: 'http://m:5050' };
    });
    expect(codes(f)).toEqual(['disconnected', 'manual-only']);
  });
});
