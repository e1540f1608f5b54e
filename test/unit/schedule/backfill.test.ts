import { describe, expect, it } from 'vitest';
import { KairosError } from '../../../src/core/errors.js';
import type { Run } from '../../../src/core/run.js';
import { backfillInstants, backfillSlots, MAX_BACKFILL_INSTANTS, planBackfill, type BackfillRequest } from '../../../src/schedule/backfill.js';
import { compileSchedule } from '../../../src/schedule/index.js';
import { dag, Harness, job, T } from './harness.js';

const hourly = { schedule: { kind: 'cron' as const, expression: '0 * * * *', timeZone: 'UTC' } };
const now = T('2026-01-02T00:00:00Z');
const id = (h: string) => `j@2026-01-01T${h}:00:00.000Z`;
const req = (over: Partial<BackfillRequest> = {}): BackfillRequest => ({ from: T('2026-01-01T02:00:00Z'), to: T('2026-01-01T06:00:00Z'), maxParallel: 2, rerun: 'none', ...over });

function stored(runId: string, state: Run['state']): Run {
  const at = T(runId.slice(2));
  return { id: runId, job: 'j', trigger: 'schedule', scheduledAt: at, revision: 'r1', state, attempts: [], createdAt: at, endedAt: at + 60_000 };
}

/** A harness whose store holds runs at 03:00 (succeeded), 04:00 (failed), 05:00 (missed). */
function withHistory(over = {}): Harness {
  const h = new Harness();
  for (const r of [stored(id('03'), 'succeeded'), stored(id('04'), 'failed'), stored(id('05'), 'missed')]) h.store.set(r.id, r);
  h.apply(h.scheduler.load([job('j', { ...hourly, ...over })], [...h.store.values()], now));
  h.launches = [];
  return h;
}

function backfill(h: Harness, r = req(), dryRun = false) {
  const out = h.scheduler.backfill('j', r, (runId) => h.store.get(runId), now, dryRun);
  h.apply(out.decisions);
  return out;
}

describe('backfill planning (pure)', () => {
  it('takes the schedule instants in [from, to], both ends included', () => {
    const s = compileSchedule(hourly.schedule);
    expect(backfillInstants(s, T('2026-01-01T02:00:00Z'), T('2026-01-01T04:00:00Z'))).toEqual([T('2026-01-01T02:00:00Z'), T('2026-01-01T03:00:00Z'), T('2026-01-01T04:00:00Z')]);
    expect(backfillInstants(s, T('2026-01-01T02:00:01Z'), T('2026-01-01T02:59:59Z'))).toEqual([]);
    expect(() => backfillInstants(s, T('2026-01-01T00:00:00Z'), T('2026-03-01T00:00:00Z'))).toThrow(`more than ${MAX_BACKFILL_INSTANTS}`);
  });

  it('skips what ran, runs what never did, re-runs by flag, never touches an active run', () => {
    const runs = new Map([id('03'), id('04'), id('05')].map((x, i) => [x, stored(x, (['succeeded', 'failed', 'missed'] as const)[i])]));
    runs.set(id('06'), { ...stored(id('06'), 'running'), endedAt: undefined });
    const instants = ['02', '03', '04', '05', '06'].map((x) => T(`2026-01-01T${x}:00:00Z`));
    const plan = (mode: 'none' | 'failed' | 'all') => planBackfill('j', instants, (x) => runs.get(x), mode).map((i) => `${i.runId.slice(13, 15)} ${i.action}${i.existing ? ` (${i.existing})` : ''}`);
    expect(plan('none')).toEqual(['02 run', '03 skip (succeeded)', '04 skip (failed)', '05 rerun (missed)', '06 skip (running)']);
    expect(plan('failed')).toEqual(['02 run', '03 skip (succeeded)', '04 rerun (failed)', '05 rerun (missed)', '06 skip (running)']);
    expect(plan('all')).toEqual(['02 run', '03 rerun (succeeded)', '04 rerun (failed)', '05 rerun (missed)', '06 skip (running)']);
  });

  it('bounds parallelism by maxParallel under Allow and to one run of the job otherwise', () => {
    expect(backfillSlots('Allow', 3, 5, 1)).toBe(2);
    expect(backfillSlots('Allow', 3, 3, 3)).toBe(0);
    expect(backfillSlots('Forbid', 3, 0, 0)).toBe(1);
    expect(backfillSlots('Forbid', 3, 1, 0)).toBe(0);
    expect(backfillSlots('Replace', 3, 1, 1)).toBe(0);
  });
});

describe('Scheduler.backfill', () => {
  it('runs the gaps under their scheduled ids, at most maxParallel at a time, oldest first', () => {
    const h = withHistory();
    const out = backfill(h);
    expect(out.items.map((i) => i.action)).toEqual(['run', 'skip', 'skip', 'rerun', 'run']);
    expect(h.launchedIds()).toEqual([`${id('02')}#1`, `${id('05')}#1`]);
    expect(h.store.get(id('06'))).toMatchObject({ state: 'pending', trigger: 'backfill', attempts: [], reason: `queued by ${out.id}`, backfill: { id: out.id, maxParallel: 2 } });
    expect(h.launches[0].run.scheduledAt).toBe(T('2026-01-01T02:00:00Z'));
    // the missed run was reset under its id: a fresh run, counted as its first re-run
    expect(h.store.get(id('05'))).toMatchObject({ state: 'pending', rerun: 1, trigger: 'backfill' });
    expect(h.launches[1].attempt.taskId).toBe(`kairos.${id('05')}~rerun1.1`);
    h.started(id('02'), '2026-01-02T00:00:01Z');
    h.ended(id('02'), 'succeeded', '2026-01-02T00:01:00Z');
    expect(h.launchedIds()).toEqual([`${id('02')}#1`, `${id('05')}#1`, `${id('06')}#1`]);
    expect(h.store.get(id('03'))?.state).toBe('succeeded'); // not repeated
  });

  it('re-runs failed instants with --rerun-failed and everything with --rerun-all', () => {
    const failed = withHistory();
    backfill(failed, req({ rerun: 'failed', maxParallel: 10 }));
    expect(failed.launchedIds().sort()).toEqual([id('02'), id('04'), id('05'), id('06')].map((x) => `${x}#1`));
    const all = withHistory();
    backfill(all, req({ rerun: 'all', maxParallel: 10 }));
    expect(all.launchedIds()).toHaveLength(5);
  });

  it('a dry run decides nothing and changes nothing', () => {
    const h = withHistory();
    const wake = h.scheduler.nextWakeAt();
    const out = backfill(h, req(), true);
    expect(out.decisions).toEqual([]);
    expect(out.items.filter((i) => i.action !== 'skip').map((i) => i.at)).toEqual([T('2026-01-01T02:00:00Z'), T('2026-01-01T05:00:00Z'), T('2026-01-01T06:00:00Z')]);
    expect(h.store.size).toBe(3);
    expect(h.scheduler.nextWakeAt()).toBe(wake);
    expect(h.launches).toEqual([]);
  });

  it('under Forbid starts one run at a time and waits for a scheduled run to end', () => {
    const h = withHistory({ concurrencyPolicy: 'Forbid' });
    h.tick(now); // the scheduled fire at 2026-01-02T00:00 starts
    const scheduled = 'j@2026-01-02T00:00:00.000Z';
    expect(h.launchedIds()).toEqual([`${scheduled}#1`]);
    backfill(h, req({ maxParallel: 5 }));
    expect(h.launchedIds()).toEqual([`${scheduled}#1`]);
    h.ended(scheduled, 'succeeded', '2026-01-02T00:00:30Z');
    expect(h.launchedIds()).toEqual([`${scheduled}#1`, `${id('02')}#1`]);
    h.ended(id('02'), 'failed', '2026-01-02T00:01:00Z');
    expect(h.launchedIds().slice(2)).toEqual([`${id('05')}#1`]);
    expect(h.runs('j').filter((r) => r.endsWith('skipped'))).toEqual([]);
  });

  it('a new leader rebuilds the queue from the stored runs and launches nothing twice', () => {
    const h = withHistory();
    backfill(h, req({ maxParallel: 1 }));
    expect(h.launchedIds()).toEqual([`${id('02')}#1`]);
    h.started(id('02'), '2026-01-02T00:00:05Z');
    h.restart([job('j', hourly)], '2026-01-02T00:00:10Z');
    expect(h.launchedIds()).toEqual([`${id('02')}#1`]); // in flight: left to reconciliation, queue waits
    h.ended(id('02'), 'succeeded', '2026-01-02T00:01:00Z');
    h.ended(id('05'), 'succeeded', '2026-01-02T00:02:00Z');
    expect(h.launchedIds()).toEqual([`${id('02')}#1`, `${id('05')}#1`, `${id('06')}#1`]);
  });

  it('each backfilled DAG run is a full DAG run', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([dag('d', [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }], hourly)], [], now));
    const out = h.scheduler.backfill('d', req({ to: T('2026-01-01T03:00:00Z') }), (x) => h.store.get(x), now);
    h.apply(out.decisions);
    const d2 = 'd@2026-01-01T02:00:00.000Z';
    expect(h.launchedIds()).toEqual([`${d2}/a#1`, 'd@2026-01-01T03:00:00.000Z/a#1']);
    h.ended(`${d2}/a`, 'succeeded', '2026-01-02T00:01:00Z');
    h.ended(`${d2}/b`, 'succeeded', '2026-01-02T00:02:00Z');
    expect(h.launchedIds()).toContain(`${d2}/b#1`);
    expect(h.state(d2)).toBe('succeeded');
    // re-running it resets the DAG run and drops its old task runs
    h.apply(h.scheduler.backfill('d', req({ to: T('2026-01-01T02:00:00Z'), rerun: 'all' }), (x) => h.store.get(x), now).decisions);
    expect(h.store.get(`${d2}/b`)).toBeUndefined();
    expect(h.launches.at(-1)!.attempt.taskId).toBe(`kairos.d@2026-01-01T02:00:00.000Z~a~rerun1.1`);
  });

  it('a pruned job drops its queue; a queued run can be killed before it starts', () => {
    const h = withHistory();
    backfill(h, req({ maxParallel: 1 }));
    h.apply(h.scheduler.cancelQueued(id('05'), now));
    expect(h.store.get(id('05'))).toMatchObject({ state: 'killed', reason: 'killed before the backfill started it' });
    h.apply(h.scheduler.remove('j', now));
    expect(h.store.get(id('06'))?.state).toBe('skipped');
  });

  it('refuses bad requests with the field named', () => {
    const h = withHistory();
    const err = (r: Partial<BackfillRequest>) => {
      try {
        backfill(h, req(r));
      } catch (e) {
        return e instanceof KairosError ? `${e.code} ${e.message}` : String(e);
      }
    };
    expect(err({ to: T('2026-01-03T00:00:00Z') })).toMatch(/^E_INVALID to: is in the future/);
    expect(err({ from: T('2026-01-01T07:00:00Z') })).toMatch(/^E_INVALID from: is after to/);
    expect(err({ maxParallel: 0 })).toMatch(/^E_INVALID maxParallel/);
    expect(() => h.scheduler.backfill('nope', req(), () => undefined, now)).toThrow('no Job or DAG named "nope"');
  });
});
