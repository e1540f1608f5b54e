import { describe, expect, it } from 'vitest';
import { dag, Harness, job, T, template } from './harness.js';
import { dagRunState, evaluateTrigger } from '../../../src/schedule/triggers.js';
import type { RunState, TriggerRule } from '../../../src/core/types.js';

const daily = { schedule: { kind: 'cron' as const, expression: '0 1 * * *', timeZone: 'UTC' } };
const start = T('2026-01-01T00:00:00Z');

describe('Chronos parents (after)', () => {
  const resources = [job('p1', daily), job('p2', daily), job('c', { after: ['p1', 'p2'] })];
  const P1 = 'p1@2026-01-01T01:00:00.000Z';
  const P2 = 'p2@2026-01-01T01:00:00.000Z';

  it('runs the child once both parents succeeded, across restarts, never twice', () => {
    const h = new Harness();
    h.apply(h.scheduler.load(resources, [], start));
    h.tick('2026-01-01T01:00:00Z');
    h.ended(P1, 'succeeded', '2026-01-01T01:05:00Z');
    expect(h.runs('c')).toEqual([]);
    h.restart(resources, '2026-01-01T01:06:00Z'); // leader change: p1's success is only in the store
    h.ended(P2, 'succeeded', '2026-01-01T01:07:00Z');
    expect(h.runs('c')).toEqual(['c@2026-01-01T01:07:00.000Z pending']);
    expect(h.store.get('c@2026-01-01T01:07:00.000Z')?.trigger).toBe('parents');
    h.ended('c@2026-01-01T01:07:00.000Z', 'succeeded', '2026-01-01T01:10:00Z');
    h.restart(resources, '2026-01-01T01:11:00Z');
    expect(h.runs('c')).toEqual(['c@2026-01-01T01:07:00.000Z succeeded']);
    // next day only p1 succeeds: no child run; then p2 too: one more
    h.tick('2026-01-02T01:00:00Z');
    h.ended('p1@2026-01-02T01:00:00.000Z', 'succeeded', '2026-01-02T01:05:00Z');
    h.ended('p2@2026-01-02T01:00:00.000Z', 'failed', '2026-01-02T01:06:00Z');
    expect(h.runs('c')).toHaveLength(1);
    h.tick('2026-01-03T01:00:00Z');
    h.ended('p2@2026-01-03T01:00:00.000Z', 'succeeded', '2026-01-03T01:02:00Z');
    expect(h.runs('c')).toEqual(['c@2026-01-01T01:07:00.000Z succeeded', 'c@2026-01-03T01:02:00.000Z pending']);
    expect(h.refused).toEqual([]);
  });

  it('a leader that died between the parent success and the child run creates the same child run', () => {
    const h = new Harness();
    h.apply(h.scheduler.load(resources, [], start));
    h.tick('2026-01-01T01:00:00Z');
    h.ended(P1, 'succeeded', '2026-01-01T01:05:00Z');
    const ds = h.scheduler.taskEnded(P2, 1, 'succeeded', T('2026-01-01T01:07:00Z'));
    h.apply(ds.filter((d) => d.type === 'update' && d.run.id === P2)); // persisted p2, then crashed
    h.restart(resources, '2026-01-01T01:20:00Z');
    expect(h.runs('c')).toEqual(['c@2026-01-01T01:07:00.000Z pending']);
    h.restart(resources, '2026-01-01T01:21:00Z');
    expect(h.launchedIds().filter((id) => id.startsWith('c@'))).toEqual(['c@2026-01-01T01:07:00.000Z#1', 'c@2026-01-01T01:07:00.000Z#1']);
    expect(h.refused).toEqual([]);
  });

  it('a child added after its parents succeeded waits for their next success', () => {
    const h = new Harness();
    h.apply(h.scheduler.load(resources.slice(0, 2), [], start));
    h.tick('2026-01-01T01:00:00Z');
    h.ended(P1, 'succeeded', '2026-01-01T01:05:00Z');
    h.ended(P2, 'succeeded', '2026-01-01T01:06:00Z');
    h.apply(h.scheduler.upsert(job('c', { after: ['p1', 'p2'] }, T('2026-01-01T02:00:00Z')), T('2026-01-01T02:00:00Z')));
    expect(h.runs('c')).toEqual([]);
  });
});

const rules: TriggerRule[] = ['all_succeeded', 'all_done', 'all_failed', 'one_succeeded', 'one_failed', 'none_failed', 'none_failed_min_one_success', 'none_skipped'];

describe('trigger rules', () => {
  // upstream: [succeeded, failed, skipped, unfinished] combinations, verdict per rule in `rules` order
  const table: [(RunState | undefined)[], string[]][] = [
    [['succeeded', 'succeeded'], ['run', 'run', 'skip', 'run', 'skip', 'run', 'run', 'run']],
    [['succeeded', 'failed'], ['skip', 'run', 'skip', 'run', 'run', 'skip', 'skip', 'run']],
    [['failed', 'timed_out'], ['skip', 'run', 'run', 'skip', 'run', 'skip', 'skip', 'run']],
    [['skipped', 'skipped'], ['skip', 'run', 'skip', 'skip', 'skip', 'run', 'skip', 'skip']],
    [['succeeded', 'skipped'], ['skip', 'run', 'skip', 'run', 'skip', 'run', 'run', 'skip']],
    [['succeeded', 'running'], ['wait', 'wait', 'skip', 'run', 'wait', 'wait', 'wait', 'wait']],
    [['failed', undefined], ['skip', 'wait', 'wait', 'wait', 'run', 'skip', 'skip', 'wait']],
    [[], ['run', 'run', 'run', 'run', 'run', 'run', 'run', 'run']],
  ];
  it.each(table)('upstream %j', (upstream, verdicts) => {
    expect(rules.map((r) => evaluateTrigger(r, upstream))).toEqual(verdicts);
  });
});

describe('DAG run state from its leaf tasks (Airflow)', () => {
  const t = (name: string, dependsOn: string[] = [], trigger: TriggerRule = 'all_succeeded') => ({ name, dependsOn, trigger });
  const handled = [t('a'), t('on_fail', ['a'], 'one_failed')];
  const withMain = [...handled, t('main', ['a'])];
  const chain = [t('a'), t('b', ['a']), t('c', ['b']), t('cleanup', ['b'], 'all_done')];
  const table: [string, ReturnType<typeof t>[], Record<string, RunState>, RunState][] = [
    ['a failure handled by a one_failed leaf', handled, { a: 'failed', on_fail: 'succeeded' }, 'succeeded'],
    ['no failure: the one_failed leaf skipped', handled, { a: 'succeeded', on_fail: 'skipped' }, 'succeeded'],
    ['a failure kept a normal leaf from running (upstream_failed)', withMain, { a: 'failed', on_fail: 'succeeded', main: 'skipped' }, 'failed'],
    ['a failure handled by an all_done leaf', [t('a'), t('done', ['a'], 'all_done')], { a: 'timed_out', done: 'succeeded' }, 'succeeded'],
    ['upstream_failed cascades through skips to a leaf', chain, { a: 'failed', b: 'skipped', c: 'skipped', cleanup: 'succeeded' }, 'failed'],
    ['a plain skip (no failure upstream) is fine', [t('a'), t('b', ['a'], 'one_failed'), t('c', ['b'])], { a: 'succeeded', b: 'skipped', c: 'skipped' }, 'succeeded'],
    ['all_failed skipped after a success', [t('a'), t('b', ['a'], 'all_failed')], { a: 'succeeded', b: 'skipped' }, 'succeeded'],
    ['a failed leaf', [t('a'), t('b', ['a'], 'all_done')], { a: 'succeeded', b: 'lost' }, 'failed'],
    ['one_succeeded skipped because all upstream failed', [t('a'), t('b'), t('c', ['a', 'b'], 'one_succeeded')], { a: 'failed', b: 'killed', c: 'skipped' }, 'failed'],
    ['a task still running', withMain, { a: 'failed', on_fail: 'running', main: 'skipped' }, 'running'],
    ['a task not created yet', handled, { a: 'succeeded' }, 'running'],
  ];
  it.each(table)('%s', (_, tasks, states, want) => {
    expect(dagRunState(tasks, (n) => states[n])).toBe(want);
  });
});

describe('DAG runs', () => {
  const tasks = [
    { name: 'a' },
    { name: 'b', template: template({ retries: { count: 1, initialDelaySeconds: 30, maxDelaySeconds: 60 } }) },
    ...rules.map((r) => ({ name: r, dependsOn: ['a', 'b'], trigger: r })),
    { name: 'after_skip', dependsOn: ['all_succeeded'] },
    { name: 'cleanup', dependsOn: ['all_succeeded'], trigger: 'all_done' as const },
  ];
  const D = 'd@2026-01-01T01:00:00.000Z';
  const task = (n: string) => `${D}/${n}`;

  it('a failed task (after its retry) drives each trigger rule; skips cascade; the DAG run fails', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([dag('d', tasks, daily)], [], start));
    h.tick('2026-01-01T01:00:00Z');
    expect(h.launchedIds()).toEqual([`${task('a')}#1`, `${task('b')}#1`]);
    expect(h.state(D)).toBe('running');
    h.ended(task('a'), 'succeeded', '2026-01-01T01:01:00Z');
    expect(h.launchedIds().slice(2)).toEqual([`${task('one_succeeded')}#1`]);
    h.ended(task('b'), 'failed', '2026-01-01T01:02:00Z');
    h.tick('2026-01-01T01:02:30Z'); // b's retry
    h.ended(task('b'), 'failed', '2026-01-01T01:03:00Z', 2);
    expect(h.runs('d')).toEqual([
      `${D} running`,
      `${task('a')} succeeded`,
      `${task('after_skip')} skipped`,
      `${task('all_done')} pending`,
      `${task('all_failed')} skipped`,
      `${task('all_succeeded')} skipped`,
      `${task('b')} failed`,
      `${task('cleanup')} pending`,
      `${task('none_failed')} skipped`,
      `${task('none_failed_min_one_success')} skipped`,
      `${task('none_skipped')} pending`,
      `${task('one_failed')} pending`,
      `${task('one_succeeded')} pending`,
    ].sort());
    for (const n of ['one_succeeded', 'all_done', 'one_failed', 'none_skipped', 'cleanup']) h.ended(task(n), 'succeeded', '2026-01-01T01:04:00Z');
    expect(h.store.get(D)).toMatchObject({ state: 'failed', endedAt: T('2026-01-01T01:04:00Z') });
  });

  it('an all-green DAG run succeeds, and its state survives a restart mid-run', () => {
    const h = new Harness();
    const r = dag('d', [{ name: 'x' }, { name: 'y', dependsOn: ['x'] }, { name: 'z', dependsOn: ['x'] }], daily);
    h.apply(h.scheduler.load([r], [], start));
    h.tick('2026-01-01T01:00:00Z');
    h.ended(task('x'), 'succeeded', '2026-01-01T01:01:00Z');
    h.ended(task('y'), 'succeeded', '2026-01-01T01:02:00Z');
    h.restart([r], '2026-01-01T01:03:00Z');
    h.ended(task('z'), 'succeeded', '2026-01-01T01:04:00Z');
    expect(h.state(D)).toBe('succeeded');
    expect(h.launchedIds()).toEqual([`${task('x')}#1`, `${task('y')}#1`, `${task('z')}#1`, `${task('z')}#1`]);
  });

  it('a task referencing a Job runs with that job template; Replace kills the old DAG run tasks', () => {
    const h = new Harness();
    const worker = job('worker', { command: { shell: 'work' } });
    const r = dag('d', [{ name: 'w', job: 'worker', template: undefined }], { ...daily, concurrencyPolicy: 'Replace' });
    h.apply(h.scheduler.load([worker, r], [], start));
    h.tick('2026-01-01T01:00:00Z');
    expect(h.launches[0].template.command).toEqual({ shell: 'work' });
    h.started(task('w'), '2026-01-01T01:00:05Z');
    h.tick('2026-01-02T01:00:00Z');
    expect(h.state(D)).toBe('killed');
    expect(h.state(task('w'))).toBe('killed');
    expect(h.kills.map((k) => k.runId)).toEqual([task('w')]);
    expect(h.state('d@2026-01-02T01:00:00.000Z')).toBe('running');
  });
});
