import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/ports/logger.js';
import { PREEMPTION_POLL_MS, PreemptionLoop } from '../../../src/controller/preemption.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('PreemptionLoop', () => {
  it('asks the core each poll, and only when a preemption is due posts PreemptionDue (Dispatch takes the view then)', async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    let due = false;
    const loop = new PreemptionLoop({
      clock,
      logger: silentLogger,
      due: (now) => (calls.push(`due?@${now === clock.now() ? 'now' : 'other'}`), due),
      preempt: async () => void calls.push('preempt'),
    });
    loop.start();
    await clock.advanceAsync(PREEMPTION_POLL_MS);
    expect(calls).toEqual(['due?@now']);
    due = true;
    await clock.advanceAsync(PREEMPTION_POLL_MS);
    expect(calls).toEqual(['due?@now', 'due?@now', 'preempt']);
    loop.stop();
    await clock.advanceAsync(10 * PREEMPTION_POLL_MS);
    expect(calls).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it('keeps polling after a failed submit (e.g. not leading any more)', async () => {
    const clock = new FakeClock();
    let submits = 0;
    const loop = new PreemptionLoop({
      clock,
      logger: silentLogger,
      due: () => true,
      preempt: async () => {
        submits++;
        throw new Error('not leading');
      },
    });
    loop.start();
    await clock.advanceAsync(3 * PREEMPTION_POLL_MS);
    expect(submits).toBe(3);
    loop.stop();
  });
});
