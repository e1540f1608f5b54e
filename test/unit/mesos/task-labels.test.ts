import { describe, expect, it } from 'vitest';
import { isKairosTaskId, labelsFromTaskId } from '../../../src/mesos/status.js';
import { labelsInTasksAnswer, LookupQueue } from '../../../src/mesos/task-labels.js';

describe('labels of a task Kairos does not remember', () => {
  it('reads them from a /master/tasks answer, for the right framework and task only', () => {
    const answer = {
      tasks: [
        { id: 'kairos.a@1.1', framework_id: 'other', labels: [{ key: 'kairos.run', value: 'wrong' }] },
        { id: 'kairos.a@1.1', framework_id: 'fw', labels: [{ key: 'kairos.run', value: 'a@1' }, { key: 'empty' }] },
        { id: 'kairos.b@1.1', framework_id: 'fw' },
      ],
    };
    expect(labelsInTasksAnswer(answer, 'fw', 'kairos.a@1.1')).toEqual({ 'kairos.run': 'a@1', empty: '' });
    expect(labelsInTasksAnswer(answer, 'fw', 'kairos.b@1.1')).toEqual({});
    expect(labelsInTasksAnswer(answer, 'fw', 'kairos.c@1.1')).toBeNull();
    expect(labelsInTasksAnswer({ nope: 1 }, 'fw', 'kairos.a@1.1')).toBeNull();
    expect(labelsInTasksAnswer(null, 'fw', 'kairos.a@1.1')).toBeNull();
  });

  it('rebuilds from the id only what the id says unambiguously', () => {
    expect(isKairosTaskId('kairos.j@2026-01-01T00:00:00Z.2')).toBe(true);
    expect(isKairosTaskId('kairos.nope')).toBe(false);
    expect(labelsFromTaskId('kairos.j@2026-01-01T00:00:00Z.2')).toEqual({ 'kairos.job': 'j', 'kairos.run': 'j@2026-01-01T00:00:00Z', 'kairos.attempt': '2' });
    // `~` is `/`, `\` or itself: the run id is left to the master's labels.
    expect(labelsFromTaskId('kairos.dag@1~child.1')).toEqual({ 'kairos.job': 'dag', 'kairos.attempt': '1' });
    expect(labelsFromTaskId('kairos.a~b@1.1')).toEqual({ 'kairos.attempt': '1' });
    expect(labelsFromTaskId('someone-else')).toBeUndefined();
  });
});

describe('LookupQueue', () => {
  it('runs at most `limit` lookups at once, in arrival order, and passes results and failures through', async () => {
    const q = new LookupQueue(2);
    const gates: (() => void)[] = [];
    const started: number[] = [];
    let inFlight = 0;
    let most = 0;
    const job = (i: number) =>
      q.run(async () => {
        started.push(i);
        most = Math.max(most, ++inFlight);
        await new Promise<void>((r) => gates.push(r));
        inFlight--;
        if (i === 3) throw new Error('boom');
        return i * 10;
      });
    const all = [1, 2, 3, 4, 5].map((i) => job(i).catch((e: Error) => e.message));
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    while (gates.length > 0 || started.length < 5) {
      await new Promise((r) => setImmediate(r));
      gates.shift()?.();
    }
    expect(await Promise.all(all)).toEqual([10, 20, 'boom', 40, 50]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
