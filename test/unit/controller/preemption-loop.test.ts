import { describe, expect, it } from 'vitest';
import type { ClusterView } from '../../../src/core/cluster-view.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { PREEMPTION_POLL_MS, PreemptionLoop } from '../../../src/controller/preemption.js';
import type { Decision } from '../../../src/schedule/decisions.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('PreemptionLoop', () => {
  it('asks the core each poll, and only when a preemption is due queues preempt with the view taken then', async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    let due = false;
    let views = 0;
    const view: ClusterView = { agents: [], queued: new Set() };
    const loop = new PreemptionLoop({
      clock,
      logger: silentLogger,
      scheduler: {
        preemptionDue: () => (calls.push('due?'), due),
        preempt: (v, now) => (calls.push(`preempt@${now - clock.now() === 0 ? 'now' : 'other'}:${v === view}`), []),
      },
      view: () => (views++, view),
      submit: async (decide: () => Decision[]) => void decide(),
    });
    loop.start();
    await clock.advanceAsync(PREEMPTION_POLL_MS);
    expect(calls).toEqual(['due?']);
    expect(views).toBe(0);
    due = true;
    await clock.advanceAsync(PREEMPTION_POLL_MS);
    expect(calls).toEqual(['due?', 'due?', 'preempt@now:true']);
    expect(views).toBe(1);
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
      scheduler: { preemptionDue: () => true, preempt: () => [] },
      view: () => undefined,
      submit: async () => {
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
