/**
 * Fires that must wait their turn instead of being skipped: catch-up under Forbid runs the
 * missed instants one after another, in order; and after a leader change, a fire due while
 * the previous run is being adopted (its state not yet confirmed by reconciliation) is
 * judged only once that state is known. Both survive a restart (the waiting runs are
 * stored `pending` with no attempt).
 */
import { describe, expect, it } from 'vitest';
import { Harness, job, T } from './harness.js';

const every20s = { schedule: { kind: 'cron' as const, expression: '*/20 * * * * *', timeZone: 'UTC' } };
const hourly = { schedule: { kind: 'cron' as const, expression: '0 * * * *', timeZone: 'UTC' } };
const at = (iso: string) => `j@${new Date(T(iso)).toISOString()}`;

describe('catchUp: all under Forbid', () => {
  const r = job('j', { ...hourly, catchUp: 'all', concurrencyPolicy: 'Forbid' });

  it('queues the missed fires and runs them one after another, in instant order', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.restart([r], '2026-01-01T03:30:00Z');
    h.tick('2026-01-01T03:30:00Z');
    const [one, two, three] = ['2026-01-01T01:00:00Z', '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z'].map(at);
    expect(h.launchedIds()).toEqual([`${one}#1`]);
    expect(h.runs('j')).toEqual([`${one} pending`, `${two} pending`, `${three} pending`]);
    expect(h.store.get(two)?.attempts).toEqual([]);
    h.started(one, '2026-01-01T03:30:05Z');
    h.ended(one, 'succeeded', '2026-01-01T03:31:00Z');
    expect(h.launchedIds()).toEqual([`${one}#1`, `${two}#1`]);
    h.started(two, '2026-01-01T03:31:05Z');
    // A restart in the middle of the backlog loses nothing and keeps the order.
    h.restart([r], '2026-01-01T03:32:00Z');
    h.ended(two, 'failed', '2026-01-01T03:33:00Z');
    expect(h.launchedIds()).toEqual([`${one}#1`, `${two}#1`, `${three}#1`]);
    h.ended(three, 'succeeded', '2026-01-01T03:34:00Z');
    expect(h.runs('j')).toEqual([`${one} succeeded`, `${two} failed`, `${three} succeeded`]);
    expect(h.runs('j').some((x) => x.endsWith('skipped'))).toBe(false);
  });

  it('an on-time fire under Forbid is still skipped while a run is active (no backlog then)', () => {
    const h = new Harness();
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T01:00:00Z');
    h.started(at('2026-01-01T01:00:00Z'), '2026-01-01T01:00:01Z');
    h.tick('2026-01-01T02:00:00Z');
    expect(h.state(at('2026-01-01T02:00:00Z'))).toBe('skipped');
  });
});

describe('a fire due while the previous run is being adopted (leader change)', () => {
  const A = 'j@2026-01-01T00:00:20.000Z';
  const B = 'j@2026-01-01T00:00:40.000Z';

  /** Leader 1 launches A at :20 (running); leader 2 loads at :45 with B (:40) already due. */
  function failover(policy: 'Forbid' | 'Replace') {
    const r = job('j', { ...every20s, concurrencyPolicy: policy });
    const h = new Harness();
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T00:00:20Z');
    h.started(A, '2026-01-01T00:00:21Z');
    h.restart([r], '2026-01-01T00:00:45Z'); // A's end (at :30) was never stored
    h.tick('2026-01-01T00:00:45Z');
    return h;
  }

  it('Forbid: B waits for reconciliation; A had ended, so B runs (it used to be recorded skipped)', () => {
    const h = failover('Forbid');
    expect(h.state(B)).toBe('pending');
    expect(h.launchedIds()).toEqual([`${A}#1`]);
    h.ended(A, 'succeeded', '2026-01-01T00:00:46Z'); // reconciliation: TASK_FINISHED
    expect(h.launchedIds()).toEqual([`${A}#1`, `${B}#1`]);
  });

  it('Forbid: B waits; reconciliation says A still runs (no state change), so B is skipped', () => {
    const h = failover('Forbid');
    expect(h.scheduler.awaitsStatus(A)).toBe(true);
    h.seen(A, '2026-01-01T00:00:46Z');
    expect(h.state(B)).toBe('skipped');
    expect(h.launchedIds()).toEqual([`${A}#1`]);
  });

  it('Replace: B waits; A still running is then replaced, not blindly', () => {
    const h = failover('Replace');
    expect(h.kills).toEqual([]);
    h.seen(A, '2026-01-01T00:00:46Z');
    expect(h.kills.map((k) => k.runId)).toEqual([A]);
    expect(h.launchedIds()).toEqual([`${A}#1`, `${B}#1`]);
  });

  it('Allow never waits', () => {
    const r = job('j', { ...every20s, concurrencyPolicy: 'Allow' });
    const h = new Harness();
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.tick('2026-01-01T00:00:20Z');
    h.started(A, '2026-01-01T00:00:21Z');
    h.restart([r], '2026-01-01T00:00:45Z');
    h.tick('2026-01-01T00:00:45Z');
    expect(h.launchedIds()).toEqual([`${A}#1`, `${B}#1`]);
  });

  it('a run never confirmed stops holding fires back after CONFIRM_WAIT_MS', () => {
    const h = failover('Forbid');
    h.tick('2026-01-01T00:02:45Z');
    expect(h.state(B)).toBe('skipped');
  });
});

describe('fires found due together after an outage, under Forbid', () => {
  it('run one after another instead of the later ones being skipped behind the first', () => {
    const r = job('j', { ...every20s, concurrencyPolicy: 'Forbid' });
    const h = new Harness();
    h.apply(h.scheduler.load([r], [], T('2026-01-01T00:00:00Z')));
    h.restart([r], '2026-01-01T00:00:50Z'); // :20 and :40 fell due while no one scheduled
    h.tick('2026-01-01T00:00:50Z');
    const [one, two] = [at('2026-01-01T00:00:20Z'), at('2026-01-01T00:00:40Z')];
    expect(h.launchedIds()).toEqual([`${one}#1`]);
    expect(h.state(two)).toBe('pending');
    h.started(one, '2026-01-01T00:00:51Z');
    h.ended(one, 'succeeded', '2026-01-01T00:00:52Z');
    expect(h.launchedIds()).toEqual([`${one}#1`, `${two}#1`]);
  });
});
