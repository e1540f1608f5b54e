import { describe, expect, it } from 'vitest';
import { jobOfRunId, mesosTaskId, scheduledRunId } from '../../../src/core/ids.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('run ids', () => {
  it('derive from job and instant, so the same run always has the same id', () => {
    const t = Date.parse('2026-03-08T07:00:00Z');
    expect(scheduledRunId('nightly', t)).toBe('nightly@2026-03-08T07:00:00.000Z');
    expect(scheduledRunId('nightly', t)).toBe(scheduledRunId('nightly', t + 0));
    expect(jobOfRunId('nightly@2026-03-08T07:00:00.000Z')).toBe('nightly');
  });

  it('make Mesos task ids without the characters Mesos forbids', () => {
    const id = mesosTaskId('video@2026-03-08T07:00:00.000Z/split', 2);
    expect(id).toBe('kairos.video@2026-03-08T07:00:00.000Z~split.2');
    expect(id).not.toMatch(/[\/\\]/);
  });
});

describe('FakeClock', () => {
  it('fires timers in time order as it advances, and never when set backwards', () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 2000);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 1000);
    clock.set(clock.now() - 60_000);
    expect(fired).toEqual([]);
    clock.set('2026-01-01T00:00:00Z');
    clock.advance(5000);
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    expect(fired).toEqual([`a@${t0 + 1000}`, `b@${t0 + 2000}`]);
    expect(clock.now()).toBe(t0 + 5000);
  });
});
