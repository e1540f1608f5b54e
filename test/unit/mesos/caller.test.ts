/** The Caller decorators (caller.ts), judged by what reaches the inner Caller and what is reported. */
import { describe, expect, it } from 'vitest';
import { onFailure, streamCaller, withFrameworkId, withMetrics } from '../../../src/mesos/caller.js';
import type { Subscription } from '../../../src/mesos/client.js';
import type { Call } from '../../../src/mesos/scheduler-types.js';
import { RecordingCaller } from './recording-caller.js';

const accept: Call = { type: 'ACCEPT', accept: { offer_ids: [{ value: 'o1' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'a', task_id: { value: 't1' }, agent_id: { value: 'A' }, resources: [] }] } }], filters: { refuse_seconds: 5 } } };

describe('Caller decorators', () => {
  it('streamCaller posts on the live stream and refuses while there is none', async () => {
    const posted: string[] = [];
    let sub: Subscription | undefined;
    const c = streamCaller({ call: async (s, call) => void posted.push(`${s.streamId} ${call.type}`) }, () => sub);
    await expect(c.call({ type: 'REVIVE' })).rejects.toThrow('not subscribed to a Mesos master');
    sub = { url: 'http://m:5050/api/v1/scheduler', streamId: 'S1', close: () => {} };
    await c.call({ type: 'REVIVE' });
    expect(posted).toEqual(['S1 REVIVE']);
  });

  it('withFrameworkId stamps every call with the current id, and refuses before there is one', async () => {
    const inner = new RecordingCaller();
    let id: string | undefined;
    const c = withFrameworkId(inner, () => id);
    await expect(c.call({ type: 'KILL', kill: { task_id: { value: 't1' } } })).rejects.toThrow('not subscribed');
    id = 'F1';
    await c.call({ type: 'KILL', kill: { task_id: { value: 't1' } } });
    expect(inner.calls).toEqual([{ type: 'KILL', kill: { task_id: { value: 't1' } }, framework_id: { value: 'F1' } }]);
  });

  it('withMetrics reports a call only once the master took it', async () => {
    const inner = new RecordingCaller();
    const seen: unknown[] = [];
    const c = withMetrics(inner, (name, ...args) => void seen.push([name, ...args]));
    await c.call(accept);
    await c.call({ type: 'DECLINE', decline: { offer_ids: [{ value: 'o2' }, { value: 'o3' }], filters: { refuse_seconds: 300 } } });
    await c.call({ type: 'REVIVE' });
    await c.call({ type: 'SUPPRESS' });
    await c.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'A' }, task_id: { value: 't1' }, uuid: 'YQ==' } });
    inner.refuse = () => new Error('HTTP 400');
    await expect(c.call({ type: 'REVIVE' })).rejects.toThrow('HTTP 400');
    expect(seen).toEqual([['accepted', { offerId: 'o1', taskIds: ['t1'] }], ['declined', { count: 2, refuseSeconds: 300 }], ['revived'], ['suppressed']]);
  });

  it('onFailure runs its rule when a call of its type is refused, and still rejects', async () => {
    const inner = new RecordingCaller();
    const rules: string[] = [];
    const c = onFailure(inner, 'ACCEPT', () => rules.push('reconcile'));
    inner.refuse = () => new Error('HTTP 503');
    await expect(c.call({ type: 'DECLINE', decline: {} })).rejects.toThrow('HTTP 503');
    expect(rules).toEqual([]);
    await expect(c.call(accept)).rejects.toThrow('HTTP 503');
    expect(rules).toEqual(['reconcile']);
  });
});
