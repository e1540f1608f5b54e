/**
 * The subscription loop (subscription.ts) over a scripted master: the FrameworkID rule
 * (load, send, save, forget on removal), the capped backoff reset by SUBSCRIBED, and a
 * stop that ends a detection which never answers. Judged by the SUBSCRIBE calls sent and
 * the ids stored.
 */
import { describe, expect, it } from 'vitest';
import type { StreamHandlers, Subscription } from '../../../src/mesos/client.js';
import { SubscriptionLoop } from '../../../src/mesos/subscription.js';
import type { Call, Event } from '../../../src/mesos/scheduler-types.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { FakeClock } from '../../support/fake-clock.js';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A master that answers each SUBSCRIBE with the next script entry: events to send, or an error. */
function setup(script: (Event[] | Error)[], stored?: string, detect?: () => Promise<string>) {
  const clock = new FakeClock();
  const subscribes: Call[] = [];
  const at: number[] = [];
  const saved: (string | undefined)[] = [];
  const handled: string[] = [];
  const ended: string[] = [];
  let open: { h: StreamHandlers } | undefined;
  const client = {
    async subscribe(_url: string, call: Call, h: StreamHandlers): Promise<Subscription> {
      subscribes.push(call);
      at.push(clock.now());
      const next = script.shift() ?? new Error('no master');
      if (next instanceof Error) throw next;
      for (const e of next) h.onEvent(e); // before the answer resolves: the loop buffers them
      open = { h };
      return { url: 'http://m1:5050/api/v1/scheduler', streamId: `S${subscribes.length}`, close: () => h.onClose() };
    },
  };
  const loop = new SubscriptionLoop({
    detector: { detect: detect ?? (async () => 'http://m1:5050'), close: async () => {} },
    client,
    log: silentLogger,
    frameworkIds: { load: async () => stored, save: async (id) => void saved.push(id) },
    clock,
    backoff: { initialMs: 100, maxMs: 400 },
    frameworkInfo: () => ({ user: 'u', name: 'kairos' }),
    handle: (e, sub) => handled.push(`${e.type} ${sub.streamId}`),
    ended: (reason, was) => ended.push(`${reason} ${was}`),
  });
  const closeStream = (err?: Error) => open?.h.onClose(err);
  return { clock, loop, at, subscribes, saved, handled, ended, closeStream };
}
const subscribed = (id: string): Event => ({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: id }, heartbeat_interval_seconds: 15 } });

describe('SubscriptionLoop', () => {
  it('subscribes with the stored FrameworkID, saves a new one, and resubscribes with it after the stream ends', async () => {
    const t = setup([[subscribed('F1'), { type: 'HEARTBEAT' }], [subscribed('F1')]], 'F0');
    const done = t.loop.run();
    await settle();
    expect(t.subscribes[0]).toMatchObject({ type: 'SUBSCRIBE', framework_id: { value: 'F0' }, subscribe: { framework_info: { id: { value: 'F0' }, name: 'kairos' } } });
    expect(t.saved).toEqual(['F1']);
    expect(t.loop.frameworkId).toBe('F1');
    expect(t.loop.stream?.streamId).toBe('S1');
    expect(t.handled).toEqual(['SUBSCRIBED S1', 'HEARTBEAT S1']);
    t.closeStream();
    await settle();
    expect(t.ended).toEqual(['stream closed true']);
    expect(t.loop.stream).toBeUndefined();
    await t.clock.advanceAsync(100); // attempt 0 after a SUBSCRIBED: the initial backoff
    await settle();
    expect(t.subscribes[1]).toMatchObject({ framework_id: { value: 'F1' } });
    expect(t.saved).toEqual(['F1']); // the same id is not written again
    t.loop.stop();
    await done;
  });

  it('forgets the FrameworkID when the master says the framework was removed, and registers anew', async () => {
    const t = setup([[subscribed('F1'), { type: 'ERROR', error: { message: 'Framework has been removed' } }], [subscribed('F2')]], 'F1');
    const done = t.loop.run();
    await settle();
    expect(t.saved).toEqual([undefined]);
    expect(t.handled).toEqual(['SUBSCRIBED S1', 'ERROR S1']);
    t.closeStream(); // the ERROR handler closes the stream in the framework
    await settle();
    await t.clock.advanceAsync(100);
    await settle();
    expect(t.subscribes[1].framework_id).toBeUndefined();
    expect(t.subscribes[1].subscribe?.framework_info.id).toBeUndefined();
    expect(t.saved).toEqual([undefined, 'F2']);
    t.loop.stop();
    await done;
  });

  it('backs off 100, 200, 400, 400 ms between failed SUBSCRIBEs', async () => {
    const t = setup(Array.from({ length: 6 }, () => new Error('refused')));
    const done = t.loop.run();
    for (let ms = 0; ms < 1500; ms += 10) {
      await settle();
      await t.clock.advanceAsync(10);
    }
    const start = t.at[0];
    expect(t.at.slice(0, 5).map((x) => x - start)).toEqual([0, 100, 300, 700, 1100]);
    expect(t.ended.slice(0, 5)).toEqual(Array(5).fill('stream closed false'));
    t.loop.stop(); // also ends the backoff sleep in progress
    await done;
  });

  it('stop() ends a master detection that never answers', async () => {
    const t = setup([], undefined, () => new Promise<string>(() => {}));
    const done = t.loop.run();
    await settle();
    t.loop.stop();
    await done;
    expect(t.subscribes).toEqual([]);
  });
});
