import fc from 'fast-check';
import type protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeAcknowledge, encodeAcknowledge } from '../../../src/mesos/codec-ack.js';
import { decodeUpdate, encodeUpdate } from '../../../src/mesos/codec-update.js';
import { decodeEvent, decodeMessage, encodeCall, encodeEvent, encodeMessage } from '../../../src/mesos/codec.js';
import { CallType, EventType } from '../../../src/mesos/proto.js';
import type { Call, Event } from '../../../src/mesos/scheduler-types.js';

const P = 'application/x-protobuf';
/** The bytes protobufjs writes for a message object: what the fast paths are held to, byte for byte. */
const protobufjs = (type: protobuf.Type, obj: object) => Buffer.from(type.encode(type.fromObject(obj)).finish());
const id = fc.record({ value: fc.string({ unit: 'binary', maxLength: 300 }) });
const bytes = fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('base64'));

/** TaskStatus objects of every field the fast path reads (and some it does not). */
const status = fc.record(
  {
    task_id: id,
    state: fc.constantFrom('TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED', 'TASK_LOST', 'TASK_KILLED'),
    message: fc.string({ unit: 'binary', maxLength: 200 }),
    source: fc.constantFrom('SOURCE_MASTER', 'SOURCE_AGENT', 'SOURCE_EXECUTOR'),
    reason: fc.constantFrom('REASON_RECONCILIATION', 'REASON_COMMAND_EXECUTOR_FAILED', 'REASON_INVALID_OFFERS', 'REASON_TASK_INVALID'),
    data: bytes,
    agent_id: id,
    executor_id: id,
    timestamp: fc.double({ noNaN: true }),
    uuid: bytes,
    healthy: fc.boolean(),
    labels: fc.record({ labels: fc.array(fc.record({ key: fc.string(), value: fc.string() }), { maxLength: 2 }) }),
    unreachable_time: fc.record({ nanoseconds: fc.integer({ min: 0 }) }),
  },
  { requiredKeys: ['task_id', 'state'] },
);

describe('protobuf fast paths', () => {
  it('decode an UPDATE event exactly as the general codec does, or leave it to it', () => {
    fc.assert(
      fc.property(status, (s) => {
        const event = { type: 'UPDATE', update: { status: s } } as Event;
        const wire = encodeEvent(event, P);
        // The master's fast encoder writes protobufjs's bytes, or leaves the event to the general writer.
        const generalWire = protobufjs(EventType, event);
        if ('labels' in s || 'unreachable_time' in s) expect(encodeUpdate(event)).toBeUndefined();
        else expect(Buffer.from(encodeUpdate(event)!)).toEqual(generalWire);
        expect(decodeMessage(EventType, wire, P)).toEqual(decodeMessage(EventType, generalWire, P));
        const general = decodeMessage(EventType, wire, P);
        const fast = decodeUpdate(wire);
        // Labels and unreachable_time are not read here: the general codec decodes those.
        if ('labels' in s || 'unreachable_time' in s) expect(fast).toBeUndefined();
        else expect(fast).toEqual(general);
        expect(decodeEvent(wire, P)).toEqual(general);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves other events, other fields and malformed bytes to the general codec', () => {
    expect(decodeUpdate(encodeEvent({ type: 'HEARTBEAT' }, P))).toBeUndefined();
    const wire = Buffer.from(encodeEvent({ type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING' } } }, P));
    expect(decodeUpdate(wire)).toEqual({ type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'TASK_RUNNING' } } });
    for (let cut = 0; cut < wire.length; cut++) expect(decodeUpdate(wire.subarray(0, cut))).toBeUndefined();
    // An unknown enum number (state 99) is the general codec's to refuse (proto2: an unknown
    // value of a closed enum is no value, so the required state is missing).
    const bad = Buffer.from(wire);
    bad[bad.indexOf(Buffer.from([0x74, 0x10])) + 2] = 99;
    expect(decodeUpdate(bad)).toBeUndefined();
    expect(() => decodeEvent(bad, P)).toThrow(/malformed protobuf Event: missing required 'state'/);
  });

  it('encode and decode an ACKNOWLEDGE call as the general codec does, and nothing else', () => {
    fc.assert(
      fc.property(id, id, id, fc.uint8Array({ minLength: 16, maxLength: 16 }), (fw, agent, task, uuid) => {
        const call: Call = { type: 'ACKNOWLEDGE', framework_id: fw, acknowledge: { agent_id: agent, task_id: task, uuid: Buffer.from(uuid).toString('base64') } };
        const wire = protobufjs(CallType, call);
        expect(Buffer.from(encodeAcknowledge(call)!)).toEqual(wire);
        expect(decodeMessage(CallType, encodeMessage(CallType, call, P), P)).toEqual(decodeMessage(CallType, wire, P));
        expect(decodeAcknowledge(wire)).toEqual(decodeMessage(CallType, wire, P));
      }),
      { numRuns: 300 },
    );
    const ack: Call = { type: 'ACKNOWLEDGE', framework_id: { value: 'f' }, acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: '%%' } };
    expect(encodeAcknowledge(ack)).toBeUndefined();
    expect(() => encodeCall(ack, P)).toThrow(/acknowledge\.uuid: base64/);
    const revive: Call = { type: 'REVIVE', framework_id: { value: 'f' }, revive: { roles: ['r'] } };
    expect(encodeAcknowledge(revive)).toBeUndefined();
    expect(decodeAcknowledge(encodeCall(revive, P))).toBeUndefined();
    const good = Buffer.from(encodeCall({ ...ack, acknowledge: { ...ack.acknowledge!, uuid: 'AAAA' } }, P));
    for (let cut = 0; cut < good.length; cut++) expect(decodeAcknowledge(good.subarray(0, cut))).toBeUndefined();
    expect(encodeUpdate({ type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'NOPE' as never } } })).toBeUndefined();
    expect(() => encodeEvent({ type: 'UPDATE', update: { status: { task_id: { value: 't' }, state: 'NOPE' as never } } }, P)).toThrow(/state: unknown TaskState value "NOPE"/);
  });
});
