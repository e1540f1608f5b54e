import { describe, expect, it } from 'vitest';
import { Reconciliation, reconcileDelay } from '../../../src/mesos/reconcile.js';

describe('Reconciliation', () => {
  const backoff = { initialMs: 1000, maxMs: 4000, maxRounds: 4 };

  it('retries only tasks not answered since the start, with capped doubling waits, then goes implicit', () => {
    const r = new Reconciliation(100, [{ taskId: 'a', agentId: 'x' }, { taskId: 'b' }], backoff);
    expect(r.next()).toEqual({ kind: 'explicit', tasks: [{ taskId: 'a', agentId: 'x' }, { taskId: 'b' }], waitMs: 1000 });
    r.observe('a', 99); // older than the start: does not count
    r.observe('b', 150);
    expect(r.next()).toEqual({ kind: 'explicit', tasks: [{ taskId: 'a', agentId: 'x' }], waitMs: 2000 });
    r.observe('a', 2000);
    expect(r.next()).toEqual({ kind: 'implicit' });
    expect(r.next()).toEqual({ kind: 'done', unanswered: [] });
  });

  it('gives up after maxRounds and reports the silent tasks', () => {
    const r = new Reconciliation(0, [{ taskId: 'a' }], backoff);
    expect([1, 2, 3, 4].map(() => (r.next() as { waitMs: number }).waitMs)).toEqual([1000, 2000, 4000, 4000]);
    expect(r.next()).toEqual({ kind: 'implicit' });
    expect(r.next()).toEqual({ kind: 'done', unanswered: ['a'] });
  });

  it('goes straight to implicit with nothing known', () => {
    expect(new Reconciliation(0, []).next()).toEqual({ kind: 'implicit' });
  });

  it('caps the delay', () => {
    expect(reconcileDelay(backoff, 50)).toBe(4000);
  });
});
