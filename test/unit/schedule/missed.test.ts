import { describe, expect, it } from 'vitest';
import { Harness, job, T } from './harness.js';
import { MAX_BACKLOG } from '../../../src/schedule/missed.js';
import type { CatchUpPolicy } from '../../../src/core/types.js';

const hourly = { schedule: { kind: 'cron' as const, expression: '0 * * * *', timeZone: 'UTC' } };

describe('missed runs and catch-up', () => {
  it('runs on time when ticked at each fire', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', hourly)], [], T('2026-01-01T00:00:00Z')));
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T01:00:00Z'));
    h.tick('2026-01-01T00:59:59Z');
    expect(h.launches).toHaveLength(0);
    h.tick('2026-01-01T01:00:00.250Z');
    expect(h.launchedIds()).toEqual(['j@2026-01-01T01:00:00.000Z#1']);
    expect(h.store.get('j@2026-01-01T01:00:00.000Z')?.trigger).toBe('schedule');
    expect(h.scheduler.nextWakeAt()).toBe(T('2026-01-01T02:00:00Z'));
  });

  // Controller down from 00:30 to 03:30: fires at 01:00, 02:00, 03:00 were missed.
  const outage: [CatchUpPolicy, string[]][] = [
    ['none', ['j@2026-01-01T01:00:00.000Z missed', 'j@2026-01-01T02:00:00.000Z missed', 'j@2026-01-01T03:00:00.000Z missed']],
    ['latest', ['j@2026-01-01T01:00:00.000Z missed', 'j@2026-01-01T02:00:00.000Z missed', 'j@2026-01-01T03:00:00.000Z pending']],
    ['all', ['j@2026-01-01T01:00:00.000Z pending', 'j@2026-01-01T02:00:00.000Z pending', 'j@2026-01-01T03:00:00.000Z pending']],
  ];
  it.each(outage)('3-hour outage with catchUp %s', (catchUp, expected) => {
    const h = new Harness();
    const r = job('j', { ...hourly, catchUp });
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.restart([r], '2026-01-01T03:30:00Z');
    h.tick('2026-01-01T03:30:00Z');
    expect(h.runs('j')).toEqual(expected);
    expect(h.launches.every((l) => l.run.trigger === 'catch-up')).toBe(true);
    // the 04:00 fire is on time again
    h.tick('2026-01-01T04:00:00Z');
    expect(h.state('j@2026-01-01T04:00:00.000Z')).toBe('pending');
    expect(h.store.get('j@2026-01-01T04:00:00.000Z')?.trigger).toBe('schedule');
  });

  it('startingDeadlineSeconds records a late fire as missed even with catchUp all', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { ...hourly, catchUp: 'all', startingDeadlineSeconds: 120 })], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T02:01:00Z'); // 01:00 is 61 min late, 02:00 one minute late
    expect(h.runs('j')).toEqual(['j@2026-01-01T01:00:00.000Z missed', 'j@2026-01-01T02:00:00.000Z pending']);
    expect(h.store.get('j@2026-01-01T01:00:00.000Z')?.reason).toMatch(/startingDeadlineSeconds 120/);
  });

  it('the clock going backwards never runs anything twice', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', hourly)], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T01:00:00Z');
    h.ended('j@2026-01-01T01:00:00.000Z', 'succeeded', '2026-01-01T01:00:10Z');
    h.tick('2026-01-01T02:00:00Z');
    h.ended('j@2026-01-01T02:00:00.000Z', 'succeeded', '2026-01-01T02:00:10Z');
    h.tick('2026-01-01T00:30:00Z'); // NTP steps back 90 minutes
    h.tick('2026-01-01T01:00:00Z');
    h.tick('2026-01-01T02:00:00Z');
    // and a restart while the clock is behind: the persisted runs keep the cursor
    h.restart([job('j', hourly)], '2026-01-01T00:45:00Z');
    h.tick('2026-01-01T01:00:00Z');
    h.tick('2026-01-01T02:00:00Z');
    h.tick('2026-01-01T03:00:00Z');
    expect(h.launchedIds()).toEqual(['j@2026-01-01T01:00:00.000Z#1', 'j@2026-01-01T02:00:00.000Z#1', 'j@2026-01-01T03:00:00.000Z#1']);
    expect(h.refused).toEqual([]);
  });

  it('a week-long outage of a per-minute job is bounded by MAX_BACKLOG', () => {
    const h = new Harness();
    const r = job('m', { schedule: { kind: 'cron', expression: '* * * * *', timeZone: 'UTC' }, catchUp: 'all' });
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-08T00:00:00Z');
    expect(h.launches).toHaveLength(MAX_BACKLOG);
    expect(h.launches[0].run.scheduledAt).toBe(T('2026-01-08T00:00:00Z') - (MAX_BACKLOG - 1) * 60_000);
    const dropped = h.decisions.filter((d) => d.type === 'dropped');
    expect(dropped).toEqual([{ type: 'dropped', job: 'm', from: T('2026-01-01T00:00:00Z'), to: h.launches[0].run.scheduledAt }]);
  });

  it('suspended jobs do not fire, and resuming does not catch up the suspended time', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([job('j', { ...hourly, suspend: true, catchUp: 'all' })], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T03:00:00Z');
    expect(h.runs('j')).toEqual([]);
    expect(h.scheduler.nextRunAt('j')).toBeUndefined();
    h.apply(h.scheduler.upsert(job('j', { ...hourly, catchUp: 'all' }), T('2026-01-01T03:10:00Z')));
    h.tick('2026-01-01T03:10:00Z');
    expect(h.runs('j')).toEqual([]);
    expect(h.scheduler.nextRunAt('j')).toBe(T('2026-01-01T04:00:00Z'));
  });

  it('among 1,000 idle jobs only the due one fires', () => {
    const h = new Harness();
    const jobs = Array.from({ length: 1000 }, (_, i) => job(`idle${i}`, { schedule: { kind: 'cron', expression: '0 0 1 1 *', timeZone: 'UTC' } }));
    h.apply(h.scheduler.load([...jobs, job('j', hourly)], [], T('2026-01-01T00:00:00Z')));
    expect(h.tick('2026-01-01T01:00:00Z').filter((d) => d.type === 'launch')).toHaveLength(1);
  });
});
