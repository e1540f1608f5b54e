import { describe, expect, it } from 'vitest';
import { decodeCall, decodeEvent, encodeCall, encodeEvent, MesosCodecError, type Encoding } from '../../../src/mesos/codec.js';
import type { Call, Event } from '../../../src/mesos/scheduler-types.js';

const both: Encoding[] = ['application/json', 'application/x-protobuf'];
const uuid = Buffer.from([...Array(16).keys()]).toString('base64');

const subscribe: Call = {
  type: 'SUBSCRIBE',
  subscribe: {
    framework_info: {
      user: 'kairos',
      name: 'Kairos',
      failover_timeout: 604800,
      checkpoint: true,
      roles: ['batch'],
      capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }],
    },
  },
};

const accept: Call = {
  framework_id: { value: 'm-0001' },
  type: 'ACCEPT',
  accept: {
    offer_ids: [{ value: 'm-O1' }],
    filters: { refuse_seconds: 30 },
    operations: [
      {
        type: 'LAUNCH',
        launch: {
          task_infos: [
            {
              name: 't',
              task_id: { value: 'job@1.1' },
              agent_id: { value: 'a1' },
              resources: [
                { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, allocation_info: { role: 'batch' } },
                { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31001 }] } },
              ],
              command: { value: 'echo hi', environment: { variables: [{ name: 'A', value: '1' }] } },
              kill_policy: { grace_period: { nanoseconds: 3_000_000_000 } },
              max_completion_time: { nanoseconds: 2 ** 40 },
              labels: { labels: [{ key: 'kairos.job', value: 'j' }] },
              container: { type: 'DOCKER', docker: { image: 'alpine', network: 'BRIDGE', port_mappings: [{ host_port: 31000, container_port: 80 }] } },
            },
          ],
        },
      },
    ],
  },
};

const update: Event = {
  type: 'UPDATE',
  update: {
    status: {
      task_id: { value: 'job@1.1' },
      state: 'TASK_STARTING', // enum value 0: must survive both encodings
      source: 'SOURCE_AGENT',
      reason: 'REASON_COMMAND_EXECUTOR_FAILED',
      uuid,
      timestamp: 1767225600.25,
      unreachable_time: { nanoseconds: 1767225600_000_000_000 },
    },
  },
};

describe('codec', () => {
  for (const enc of both) {
    it(`round-trips calls and events through ${enc}`, () => {
      expect(decodeCall(encodeCall(subscribe, enc), enc)).toEqual(subscribe);
      expect(decodeCall(encodeCall(accept, enc), enc)).toEqual(accept);
      expect(decodeEvent(encodeEvent(update, enc), enc)).toEqual(update);
      expect(decodeEvent(encodeEvent({ type: 'HEARTBEAT' }, enc), enc)).toEqual({ type: 'HEARTBEAT' });
    });

    it(`rejects a missing required field in ${enc}, naming it`, () => {
      const bad = { type: 'UPDATE', update: { status: { state: 'TASK_RUNNING' } } };
      expect(() => encodeEvent(bad as unknown as Event, enc)).toThrow(/update\.status\.task_id: missing required/);
    });
  }

  it('encodes protobuf with the upstream field numbers', () => {
    // Event{type=HEARTBEAT(8)}: field 1 varint 8.
    expect([...encodeEvent({ type: 'HEARTBEAT' }, 'application/x-protobuf')]).toEqual([0x08, 0x08]);
    // Call{type=REVIVE(5), revive(15){roles:"r"}}: key (15<<3|2)=0x7a.
    const bytes = encodeCall({ framework_id: { value: 'f' }, type: 'REVIVE', revive: { roles: ['r'] } }, 'application/x-protobuf');
    expect([...bytes]).toEqual([0x0a, 0x03, 0x0a, 0x01, 0x66, 0x10, 0x05, 0x7a, 0x03, 0x0a, 0x01, 0x72]);
  });

  it('writes stout-style JSON: snake_case, enum names, base64 bytes, int64 numbers', () => {
    const json = JSON.parse(Buffer.from(encodeEvent(update, 'application/json')).toString());
    expect(json.update.status.task_id.value).toBe('job@1.1');
    expect(json.update.status.state).toBe('TASK_STARTING');
    expect(json.update.status.uuid).toBe(uuid);
    expect(json.update.status.unreachable_time.nanoseconds).toBe(1767225600_000_000_000);
  });

  it('ignores unknown JSON fields and accepts int64 as strings', () => {
    const body = Buffer.from(
      JSON.stringify({ type: 'KILL', framework_id: { value: 'f', extra: 1 }, kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: '5' } } }, bogus: true }),
    );
    expect(decodeCall(body, 'application/json')).toEqual({
      type: 'KILL',
      framework_id: { value: 'f' },
      kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: 5 } } },
    });
  });

  it('rejects malformed bodies, wrong types and unknown enum names', () => {
    const j = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));
    expect(() => decodeCall(j('{"type":'), 'application/json')).toThrow(MesosCodecError);
    expect(() => decodeCall(j({ type: 'NOPE' }), 'application/json')).toThrow(/type: unknown Type value "NOPE"/);
    expect(() => decodeCall(j({ type: 'REVIVE', revive: { roles: 'r' } }), 'application/json')).toThrow(/revive\.roles: array expected/);
    expect(() => decodeCall(j({ type: 'ACCEPT', accept: { offer_ids: [{ value: 'o1' }, {}] } }), 'application/json')).toThrow(/^accept\.offer_ids\[1\]\.value: missing required field$/);
    expect(() => decodeCall(j({ type: 'REVIVE', revive: { roles: ['a', 7] } }), 'application/json')).toThrow(/^revive\.roles\[1\]: string expected$/);
    expect(() => decodeCall(j({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: '%%' } }), 'application/json')).toThrow(
      /acknowledge\.uuid: base64/,
    );
    expect(() => decodeCall(Uint8Array.from([0x0a, 0x05, 0x0a]), 'application/x-protobuf')).toThrow(/malformed protobuf/);
    // Call.subscribe present but framework_info (required) absent: key 3, length 0.
    expect(() => decodeCall(Uint8Array.from([0x10, 0x01, 0x1a, 0x00]), 'application/x-protobuf')).toThrow(MesosCodecError);
  });
});
