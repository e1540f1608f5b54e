/**
 * The embedded master's status update manager (src/mesos/embedded/updates.ts) on the fake
 * clock: an unacknowledged update is resent after the retry interval, doubling up to the
 * maximum; only the oldest update of a task is outstanding; an acknowledgement of exactly
 * its uuid stops the resends and releases the next one; updates sent at one instant share
 * a timer, yet each resends exactly when its own would have, and no timer outlives the
 * updates it served.
 */
import { describe, expect, it } from 'vitest';
import { StatusUpdateManager, newUuid } from '../../../../src/mesos/embedded/updates.js';
import type { TaskStatus } from '../../../../src/mesos/types.js';
import { FakeClock } from '../../../support/fake-clock.js';

const status = (task: string, state: TaskStatus['state'] = 'TASK_RUNNING'): TaskStatus => ({ task_id: { value: task }, state, uuid: newUuid() });

function setup(maxMs = 40_000) {
  const clock = new FakeClock();
  const sent: { fw: string; task: string; state: string; at: number }[] = [];
  const m = new StatusUpdateManager(clock, { initialMs: 10_000, maxMs }, (fw, s) => sent.push({ fw, task: s.task_id.value, state: s.state, at: clock.now() - t0 }));
  const t0 = clock.now();
  const times = (task: string) => sent.filter((x) => x.task === task).map((x) => x.at);
  return { clock, sent, m, times };
}

describe('StatusUpdateManager', () => {
  it('resends what is not acknowledged at 10 s, then doubling up to the maximum; stops at the ack', () => {
    const { clock, m, times } = setup();
    const a = status('a');
    m.add('fw', a);
    m.add('fw', status('b'));
    clock.advance(9_999);
    expect(times('a')).toEqual([0]);
    clock.advance(1);
    expect(times('a')).toEqual([0, 10_000]);
    expect(times('b')).toEqual([0, 10_000]);
    expect(m.ack('fw', 'a', a.uuid!)).toBe(a);
    clock.advance(200_000);
    expect(times('a')).toEqual([0, 10_000]);
    // b: +10 s, +20 s, +40 s, then capped at 40 s
    expect(times('b')).toEqual([0, 10_000, 30_000, 70_000, 110_000, 150_000, 190_000]);
  });

  it('holds a task’s next update back until the outstanding one is acknowledged by its uuid', () => {
    const { clock, m, sent } = setup();
    const first = status('t', 'TASK_STARTING');
    const second = status('t', 'TASK_RUNNING');
    m.add('fw', first);
    m.add('fw', second);
    expect(sent.map((x) => x.state)).toEqual(['TASK_STARTING']);
    expect(m.ack('fw', 't', second.uuid!)).toBeUndefined();
    expect(m.ack('other', 't', first.uuid!)).toBeUndefined();
    expect(m.ack('fw', 't', first.uuid!)).toBe(first);
    expect(sent.map((x) => x.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    clock.advance(10_000);
    expect(sent.map((x) => x.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_RUNNING']);
  });

  it('keeps each update’s own schedule when updates of different instants and backoffs meet', () => {
    const { clock, m, times } = setup();
    m.add('fw', status('early'));
    clock.advance(10_000); // early resent at 10 s, next at 30 s
    clock.advance(10_000);
    m.add('fw', status('late')); // sent at 20 s, resent at 30 s: same instant as early's
    clock.advance(9_999);
    expect(times('early')).toEqual([0, 10_000]);
    expect(times('late')).toEqual([20_000]);
    clock.advance(1);
    expect(times('early')).toEqual([0, 10_000, 30_000]);
    expect(times('late')).toEqual([20_000, 30_000]);
  });

  it('leaves no timer behind once every update is acknowledged or dropped', () => {
    const { clock, m, sent } = setup();
    const ups = ['a', 'b', 'c'].map((t) => status(t));
    for (const u of ups) m.add('fw', u);
    m.add('gone', status('d'));
    expect(clock.pending()).toBe(1); // one shared timer for the four
    for (const u of ups) m.ack('fw', u.task_id.value, u.uuid!);
    expect(clock.pending()).toBe(1);
    m.dropFramework('gone');
    expect(clock.pending()).toBe(0);
    clock.advance(60_000);
    expect(sent).toHaveLength(4);
  });

  it('resends a framework’s outstanding updates at once on resendNow, with the backoff reset', () => {
    const { clock, m, times } = setup();
    m.add('fw', status('a'));
    clock.advance(10_000);
    clock.advance(5_000);
    m.resendNow('fw');
    expect(times('a')).toEqual([0, 10_000, 15_000]);
    clock.advance(10_000);
    expect(times('a')).toEqual([0, 10_000, 15_000, 25_000]);
    m.dropTask('fw', 'a');
    clock.advance(100_000);
    expect(times('a')).toHaveLength(4);
    expect(clock.pending()).toBe(0);
  });
});
