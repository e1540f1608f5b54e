import { describe, expect, it } from 'vitest';
import { SyncLoop } from '../../../src/controller/sync-loop.js';
import { KairosError } from '../../../src/core/errors.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A reconcile double whose passes the test opens and closes by hand. */
function harness(pollMs = 30_000) {
  const clock = new FakeClock();
  const calls: { reason: string; at: number }[] = [];
  const errors: (number | undefined)[] = [];
  let gate: { resolve(): void; reject(e: unknown): void } | undefined;
  let failWith: unknown;
  const loop = new SyncLoop({
    clock,
    pollMs,
    backoff: { initialMs: 1000, maxMs: 4000 },
    onError: (_e, retry) => errors.push(retry),
    reconcile: (reason) => {
      calls.push({ reason, at: clock.now() });
      if (failWith) return Promise.reject(failWith);
      return new Promise<void>((resolve, reject) => (gate = { resolve, reject }));
    },
  });
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return {
    clock,
    loop,
    calls,
    errors,
    settle,
    open: async () => {
      gate!.resolve();
      gate = undefined;
      await settle();
    },
    failAll: (e: unknown) => (failWith = e),
  };
}

describe('SyncLoop', () => {
  it('runs one pass at a time and coalesces triggers that arrive during a pass into one more', async () => {
    const h = harness();
    h.loop.trigger('start');
    h.loop.trigger('webhook');
    h.loop.trigger('watch');
    expect(h.calls.map((c) => c.reason)).toEqual(['start']);
    await h.open();
    expect(h.calls.map((c) => c.reason)).toEqual(['start', 'webhook']);
    await h.open();
    expect(h.calls).toHaveLength(2);
    expect(h.loop.busy()).toBe(false);
  });

  it('polls at the interval after a successful pass', async () => {
    const h = harness(30_000);
    h.loop.trigger('start');
    await h.open();
    await h.clock.advanceAsync(29_999);
    expect(h.calls).toHaveLength(1);
    await h.clock.advanceAsync(1);
    expect(h.calls.map((c) => c.reason)).toEqual(['start', 'poll']);
    expect(h.calls[1].at - h.calls[0].at).toBe(30_000);
  });

  it('backs off exponentially on retryable errors, capped, and resets after a success', async () => {
    const h = harness(30_000);
    h.failAll(new KairosError('E_SOURCE', 'git fetch failed'));
    h.loop.trigger('start');
    await h.settle();
    await h.clock.advanceAsync(1000);
    await h.clock.advanceAsync(2000);
    await h.clock.advanceAsync(4000);
    await h.clock.advanceAsync(4000);
    expect(h.errors).toEqual([1000, 2000, 4000, 4000, 4000]);
    expect(h.calls.map((c) => c.reason)).toEqual(['start', 'retry', 'retry', 'retry', 'retry']);
    h.failAll(undefined);
    await h.clock.advanceAsync(4000);
    await h.open();
    await h.clock.advanceAsync(30_000);
    expect(h.calls.at(-1)!.reason).toBe('poll');
  });

  it('does not retry a terminal error: it waits for the next poll or trigger', async () => {
    const h = harness(30_000);
    h.failAll(new KairosError('E_MANIFEST', 'bad manifest'));
    h.loop.trigger('start');
    await h.settle();
    expect(h.errors).toEqual([undefined]);
    await h.clock.advanceAsync(29_000);
    expect(h.calls).toHaveLength(1);
    h.loop.trigger('webhook');
    await h.settle();
    expect(h.calls.map((c) => c.reason)).toEqual(['start', 'webhook']);
  });

  it('a trigger cancels the pending poll timer instead of adding a second pass', async () => {
    const h = harness(10_000);
    h.loop.trigger('start');
    await h.open();
    h.loop.trigger('webhook');
    await h.open();
    await h.clock.advanceAsync(10_000);
    expect(h.calls.map((c) => c.reason)).toEqual(['start', 'webhook', 'poll']);
    expect(h.clock.pending()).toBe(0);
  });

  it('stop() waits for the pass in flight and leaves no timer behind', async () => {
    const h = harness(1000);
    h.loop.trigger('start');
    const stopped = h.loop.stop();
    h.loop.trigger('webhook');
    await h.open();
    await stopped;
    expect(h.calls).toHaveLength(1);
    expect(h.clock.pending()).toBe(0);
  });
});
