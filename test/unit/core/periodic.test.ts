import { describe, expect, it } from 'vitest';
import { Periodic } from '../../../src/core/periodic.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('Periodic', () => {
  it('runs a round at once and then every interval after the previous one ended, goes on after a failure, and stop waits for the round in flight', async () => {
    const clock = new FakeClock(0);
    const starts: number[] = [];
    const errors: unknown[] = [];
    let release: () => void = () => {};
    const p = new Periodic({
      clock,
      intervalMs: 1000,
      round: async () => {
        starts.push(clock.now());
        if (starts.length === 2) throw new Error('boom');
        if (starts.length === 3) await new Promise<void>((r) => (release = r));
      },
      onError: (e) => errors.push(e),
    });
    p.start();
    p.start(); // idempotent
    await clock.advanceAsync(0);
    await clock.advanceAsync(2500);
    expect(starts).toEqual([0, 1000, 2000]);
    expect(errors).toHaveLength(1);
    await clock.advanceAsync(5000); // round 3 still running: nothing overlaps it
    expect(starts).toHaveLength(3);
    let stopped = false;
    const stopping = p.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(p.active).toBe(false);
    await clock.advanceAsync(5000);
    expect(starts).toHaveLength(3);
  });
});
