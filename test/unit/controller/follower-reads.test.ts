import { describe, expect, it } from 'vitest';
import { FollowerReads } from '../../../src/controller/follower-reads.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A follower over a store whose change notifications the test sends, and whose reloads it finishes. */
function setup(opts: { watch?: boolean } = {}) {
  const clock = new FakeClock();
  const reloads: { at: number; done: (fail?: boolean) => void }[] = [];
  let notify: (() => void) | undefined;
  let unwatched = false;
  const store = opts.watch === false ? {} : {
    watch: (fn: () => void) => {
      notify = fn;
      return () => void (unwatched = true);
    },
  };
  const f = new FollowerReads({
    store,
    clock,
    logger: silentLogger,
    backstopMs: 30_000,
    minGapMs: 250,
    reload: () => new Promise<void>((resolve, reject) => reloads.push({ at: clock.now(), done: (fail) => (fail ? reject(new Error('zk down')) : resolve()) })),
  });
  const flush = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  return { clock, f, reloads, change: () => notify!(), unwatched: () => unwatched, flush };
}

describe('FollowerReads', () => {
  it('reloads at once on a change, coalesces a burst during a reload into one more, and keeps a gap', async () => {
    const { clock, f, reloads, change, flush } = setup();
    f.start();
    change();
    await clock.advanceAsync(0);
    expect(reloads.map((r) => r.at)).toEqual([clock.now()]);
    const t0 = clock.now();
    for (let i = 0; i < 50; i++) change(); // a busy leader
    expect(f.freshness()).toEqual({ watching: true, loadedAt: t0, behind: true });
    await clock.advanceAsync(100);
    reloads[0].done();
    await flush();
    await clock.advanceAsync(100); // 200 ms after the first start: the gap holds it back
    expect(reloads).toHaveLength(1);
    await clock.advanceAsync(50);
    expect(reloads.map((r) => r.at - t0)).toEqual([0, 250]);
    reloads[1].done();
    await flush();
    expect(f.freshness()).toEqual({ watching: true, loadedAt: t0 + 250, behind: false });
  });

  it('retries a failed reload on the next change or the backstop, and still reloads without a watch', async () => {
    const { clock, f, reloads, change, flush } = setup();
    f.start();
    change();
    await clock.advanceAsync(0);
    reloads[0].done(true);
    await flush();
    await clock.advanceAsync(250);
    expect(reloads).toHaveLength(2); // still behind after the failure: tried again after the gap
    reloads[1].done();
    await flush();
    expect(f.freshness().behind).toBe(false);

    const polled = setup({ watch: false });
    polled.f.start();
    expect(polled.f.freshness().watching).toBe(false);
    await polled.clock.advanceAsync(30_000);
    expect(polled.reloads).toHaveLength(1);
    polled.reloads[0].done();
    await polled.flush();
    await polled.clock.advanceAsync(30_000);
    expect(polled.reloads).toHaveLength(2);
  });

  it('stops watching and reloading when it leads', async () => {
    const { clock, f, reloads, change, unwatched } = setup();
    f.start();
    f.stop();
    expect(unwatched()).toBe(true);
    change();
    await clock.advanceAsync(60_000);
    expect(reloads).toHaveLength(0);
  });
});
