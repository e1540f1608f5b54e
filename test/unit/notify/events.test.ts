import { describe, expect, it } from 'vitest';
import type { Run } from '../../../src/core/run.js';
import type { AppliedResource, NotifyRule } from '../../../src/core/types.js';
import { entryFor, previousOutcome, runEvents } from '../../../src/notify/events.js';
import { deliveryBackoffMs } from '../../../src/notify/notifier.js';
import { breachesSla, slaDeadline } from '../../../src/notify/sla.js';
import { mask, signature } from '../../../src/notify/send.js';
import { FakeClock } from '../../support/fake-clock.js';

const clock = new FakeClock('2026-03-01T10:00:00Z');
const T0 = clock.now();

function run(over: Partial<Run> = {}): Run {
  return { id: 'etl@2026-03-01T10:00:00Z', job: 'etl', trigger: 'schedule', scheduledAt: T0, revision: 'r1', state: 'running', attempts: [{ n: 1, taskId: 't1', intentAt: T0, notBefore: T0 }], createdAt: T0, ...over };
}

function applied(sla?: number, appliedAt = T0 - 60_000): AppliedResource {
  return { revision: 'r1', appliedAt, resource: { kind: 'Job', metadata: { name: 'etl', labels: {}, annotations: {} }, source: { file: 'etl.yaml', line: 1 }, spec: { ...(sla !== undefined && { sla: { finishWithinSeconds: sla } }) } } } as unknown as AppliedResource;
}

describe('runEvents', () => {
  it('raises preempted on the write that marks the attempt preempted, not on the requeue after it', () => {
    const marked = run({ reason: 'preempted by hi@1', attempts: [{ n: 1, taskId: 't1', intentAt: T0, notBefore: T0, preemptedBy: 'hi@1' }] });
    expect(runEvents(run(), marked, undefined)).toEqual(['preempted']);
    expect(runEvents(marked, { ...marked, reason: 'again' }, undefined)).toEqual([]);
    const requeued = run({ state: 'pending', attempts: [{ ...marked.attempts[0], endedAt: T0 + 1 }, { n: 2, taskId: 't2', intentAt: T0 + 1, notBefore: T0 + 1 }] });
    expect(runEvents(marked, requeued, undefined)).toEqual([]);
  });

  it('raises failed on the write that makes a run terminal-failed, and never again', () => {
    expect(runEvents(run(), run({ state: 'failed' }), undefined)).toEqual(['failed']);
    expect(runEvents(run({ state: 'failed' }), run({ state: 'failed', reason: 'again' }), undefined)).toEqual([]);
    expect(runEvents(run(), run({ state: 'timed_out' }), undefined)).toEqual(['failed']);
    expect(runEvents(run(), run({ state: 'lost' }), undefined)).toEqual(['failed']);
    // A retry keeps the run pending: no event until the retries are spent.
    expect(runEvents(run(), run({ state: 'pending' }), undefined)).toEqual([]);
  });

  it('raises missed for a run created missed, succeeded and recovered after a failure', () => {
    expect(runEvents(undefined, run({ state: 'missed' }), undefined)).toEqual(['missed']);
    expect(runEvents(run(), run({ state: 'succeeded' }), run({ id: 'x', state: 'failed' }))).toEqual(['succeeded', 'recovered']);
    expect(runEvents(run(), run({ state: 'succeeded' }), run({ id: 'x', state: 'succeeded' }))).toEqual(['succeeded']);
  });

  it('raises unschedulable on the write that makes a run unschedulable, not on a reason update nor on pending again', () => {
    expect(runEvents(run({ state: 'pending' }), run({ state: 'unschedulable', reason: 'needs cpus 4 but the largest agent has 2' }), undefined)).toEqual(['unschedulable']);
    expect(runEvents(run({ state: 'unschedulable', reason: 'a' }), run({ state: 'unschedulable', reason: 'b' }), undefined)).toEqual([]);
    expect(runEvents(run({ state: 'unschedulable' }), run({ state: 'pending' }), undefined)).toEqual([]);
    // a DAG task that can never run is told by its task run: the DAG run stays running
    expect(runEvents(run({ state: 'pending', task: 'encode' }), run({ state: 'unschedulable', task: 'encode' }), undefined)).toEqual(['unschedulable']);
    expect(runEvents(run({ task: 'encode' }), run({ state: 'failed', task: 'encode' }), undefined)).toEqual([]);
  });

  it('raises sla_missed when slaMissedAt is first set, and nothing for DAG task runs', () => {
    expect(runEvents(run(), run({ slaMissedAt: T0 + 1 }), undefined)).toEqual(['sla_missed']);
    expect(runEvents(run({ slaMissedAt: T0 + 1 }), run({ slaMissedAt: T0 + 1, state: 'failed' }), undefined)).toEqual(['failed']);
    expect(runEvents(run({ task: 'a' }), run({ task: 'a', state: 'failed' }), undefined)).toEqual([]);
  });

  it('finds the previous outcome among older runs, skipping missed and DAG task runs', () => {
    const older = [run({ id: 'new', scheduledAt: T0 + 10 }), run({ id: 'm', state: 'missed', scheduledAt: T0 - 10 }), run({ id: 'task', task: 'a', state: 'succeeded', scheduledAt: T0 - 15 }), run({ id: 'f', state: 'failed', scheduledAt: T0 - 20 })];
    expect(previousOutcome(older, run({ id: 'cur' }))?.id).toBe('f');
  });
});

describe('entryFor', () => {
  const rules: NotifyRule[] = [
    { on: ['failed', 'sla_missed'], webhook: { url: 'http://h/x', secret: { env: 'S' } } },
    { on: ['failed'], slack: { url: { env: 'SLACK' } } },
    { on: ['missed'], email: { to: ['a@b.c'] } },
  ];
  it('takes the targets of every rule asking for the event, keyed by run and event', () => {
    const e = entryFor('failed', run({ state: 'failed', reason: 'exit 3', endedAt: T0 + 5 }), rules, T0 + 5)!;
    expect(e.id).toBe('etl@2026-03-01T10:00:00Z~failed');
    expect(e.targets.map((t) => Object.keys(t.target)[0])).toEqual(['webhook', 'slack']);
    expect(e.run).toEqual({ id: 'etl@2026-03-01T10:00:00Z', state: 'failed', reason: 'exit 3', scheduledAt: T0, endedAt: T0 + 5, attempts: 1 });
    expect(entryFor('recovered', run(), rules, T0)).toBeUndefined();
  });
});

describe('SLA', () => {
  it('is measured from the scheduled instant and judged once', () => {
    const a = applied(60);
    expect(slaDeadline(run(), a)).toBe(T0 + 60_000);
    expect(breachesSla(run(), a, T0 + 59_999)).toBe(false);
    expect(breachesSla(run(), a, T0 + 60_000)).toBe(true);
    expect(breachesSla(run({ slaMissedAt: T0 + 60_000 }), a, T0 + 90_000)).toBe(false);
    expect(breachesSla(run(), applied(undefined), T0 + 1e9)).toBe(false);
  });

  it('flags runs that finished late, but not ones that ended before the SLA was applied, nor missed runs', () => {
    expect(breachesSla(run({ state: 'succeeded', endedAt: T0 + 61_000 }), applied(60), T0 + 70_000)).toBe(true);
    expect(breachesSla(run({ state: 'succeeded', endedAt: T0 + 30_000 }), applied(60), T0 + 70_000)).toBe(false);
    expect(breachesSla(run({ state: 'succeeded', endedAt: T0 + 61_000 }), applied(60, T0 + 65_000), T0 + 70_000)).toBe(false);
    expect(breachesSla(run({ state: 'missed' }), applied(60), T0 + 70_000)).toBe(false);
  });
});

describe('delivery helpers', () => {
  it('backs off 2 s doubling to 5 min', () => {
    expect([1, 2, 3, 9, 20].map(deliveryBackoffMs)).toEqual([2000, 4000, 8000, 300_000, 300_000]);
  });
  it('signs like GitHub and masks secrets in messages', () => {
    // The widely published HMAC-SHA256 example (key "key", the quick brown fox).
    expect(signature('key', 'The quick brown fox jumps over the lazy dog')).toBe('sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8');
    expect(mask('POST https://hooks.slack.com/T/s3cr3t failed', ['s3cr3t'])).toBe('POST https://hooks.slack.com/T/*** failed');
  });
});
