import { describe, expect, it } from 'vitest';
import { ConflictError, FencedError, KairosError, ManifestError } from '../../../src/core/errors.js';
import { alwaysGeneric, backoffDelay, handlingOf, RetryLoop, WaitingError } from '../../../src/core/retry.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('handlingOf (the one retry policy)', () => {
  it('stalls on errors the same input repeats, retries generic ones, waits as a waiting error says', () => {
    expect(handlingOf(new ManifestError([]))).toEqual({ kind: 'stalling' });
    expect(handlingOf(new KairosError('E_REWIND', 'rewind'))).toEqual({ kind: 'stalling' });
    expect(handlingOf(new KairosError('E_MASS_PRUNE', 'too many'))).toEqual({ kind: 'stalling' });
    expect(handlingOf(new FencedError('deposed'))).toEqual({ kind: 'stalling' });
    expect(handlingOf(new Error('a bug'))).toEqual({ kind: 'stalling' });
    expect(handlingOf(new ConflictError('runs/a', 1, 2))).toEqual({ kind: 'generic' });
    expect(handlingOf(new KairosError('E_SOURCE', 'fetch failed'))).toEqual({ kind: 'generic' });
    expect(handlingOf(new KairosError('E_UNAVAILABLE', 'no quorum'))).toEqual({ kind: 'generic' });
    expect(handlingOf(new WaitingError('E_UNAVAILABLE', 'master elected, not yet ready', 2500))).toEqual({ kind: 'waiting', requeueAfterMs: 2500 });
  });

  it('backs off from the initial delay, doubling, capped, without overflowing after many failures', () => {
    const p = { initialMs: 500, maxMs: 15_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(p, n))).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(backoffDelay(p, 10_000)).toBe(15_000);
  });
});

describe('RetryLoop', () => {
  it('counts generic failures, resets on success and on a stalling error, and does not count waiting', () => {
    const loop = new RetryLoop(new FakeClock(), { initialMs: 1000, maxMs: 4000 });
    const generic = new KairosError('E_SOURCE', 'down');
    expect([loop.failed(generic), loop.failed(generic), loop.failed(generic), loop.failed(generic)]).toEqual([1000, 2000, 4000, 4000]);
    expect(loop.failures).toBe(4);
    expect(loop.failed(new WaitingError('E_UNAVAILABLE', 'later', 300))).toBe(300);
    expect(loop.failures).toBe(4);
    loop.succeeded();
    expect(loop.failed(generic)).toBe(1000);
    expect(loop.failed(new ManifestError([]))).toBeUndefined();
    expect(loop.failures).toBe(0);
    expect(new RetryLoop(new FakeClock(), { initialMs: 10, maxMs: 10 }, alwaysGeneric).failed(new Error('any'))).toBe(10);
  });

  it('keeps one timer: arming again replaces it, and cancel leaves none behind', async () => {
    const clock = new FakeClock();
    const loop = new RetryLoop(clock, { initialMs: 1000, maxMs: 1000 });
    const fired: string[] = [];
    loop.arm(1000, () => fired.push('first'));
    loop.arm(2000, () => fired.push('second'));
    expect(loop.armed).toBe(true);
    await clock.advanceAsync(1500);
    expect(fired).toEqual([]);
    await clock.advanceAsync(500);
    expect(fired).toEqual(['second']);
    expect(loop.armed).toBe(false);
    loop.arm(10, () => fired.push('cancelled'));
    loop.cancel();
    await clock.advanceAsync(100);
    expect(fired).toEqual(['second']);
  });

  it('ends an awaited sleep at its time, or at once when cancelled', async () => {
    const clock = new FakeClock();
    const loop = new RetryLoop(clock, { initialMs: 1000, maxMs: 1000 });
    let woke = 0;
    void loop.sleep(1000).then(() => woke++);
    await clock.advanceAsync(999);
    expect(woke).toBe(0);
    await clock.advanceAsync(1);
    expect(woke).toBe(1);
    const start = clock.now();
    const cut = loop.sleep(60_000).then(() => clock.now());
    loop.cancel();
    expect(await cut).toBe(start);
  });
});
