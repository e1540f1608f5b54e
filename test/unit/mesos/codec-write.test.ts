import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { checkMessage, encodeCall, encodeMessage } from '../../../src/mesos/codec.js';
import { isValidMessage, writeMessage } from '../../../src/mesos/codec-write.js';
import { CallType, EventType, messageType } from '../../../src/mesos/proto.js';
import { buildTaskInfo } from '../../../src/mesos/tasks.js';
import { launchRequest, template } from './fixtures.js';

const opts: protobuf.IConversionOptions = { enums: String, longs: String, bytes: String, defaults: false };
/** What protobufjs makes of an object: the reference the writer is held to. */
const reference = (type: protobuf.Type, obj: object) => Buffer.from(type.encode(type.fromObject(obj)).finish());
const decoded = (type: protobuf.Type, bytes: Uint8Array) => type.toObject(type.decode(bytes), opts);

const I64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const U64 = { min: 0n, max: 2n ** 64n - 1n };

/** A value of one scalar field, in every form the codec takes (numbers, decimal strings, base64, bytes). */
function scalar(field: protobuf.Field): fc.Arbitrary<unknown> {
  if (field.resolvedType instanceof protobuf.Enum) {
    const e = field.resolvedType;
    return fc.oneof(fc.constantFrom(...Object.keys(e.values)), fc.constantFrom(...Object.values(e.values)));
  }
  const big = (r: { min: bigint; max: bigint }) => fc.oneof(fc.maxSafeInteger().filter((n) => BigInt(n) >= r.min), fc.bigInt(r).map(String));
  switch (field.type) {
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 60 });
    case 'bool':
      return fc.boolean();
    case 'double':
      return fc.double();
    case 'float':
      return fc.float();
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return fc.integer();
    case 'uint32':
    case 'fixed32':
      return fc.integer({ min: 0, max: 2 ** 32 - 1 });
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return big(I64);
    case 'uint64':
    case 'fixed64':
      return big(U64);
    case 'bytes':
      return fc.uint8Array({ maxLength: 20 }).chain((b) => fc.constantFrom(Buffer.from(b).toString('base64'), new Uint8Array(b)));
  }
  throw new Error(`no generator for ${field.type}`);
}

const memo = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

/** Random objects of a message type: required fields always, optional ones only near the top. */
function messageOf(type: protobuf.Type, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const key = `${type.fullName}@${depth}`;
  const known = memo.get(key);
  if (known) return known;
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const f of type.fieldsArray) {
    if (!f.required && depth >= 3) continue;
    const one = f.resolvedType instanceof protobuf.Type ? fc.constant(null).chain(() => messageOf(f.resolvedType as protobuf.Type, depth + 1)) : scalar(f);
    fields[f.name] = f.repeated ? fc.array(one, { maxLength: 2 }) : one;
    if (f.required) required.push(f.name);
  }
  const arb = fc.record(fields, { requiredKeys: required });
  memo.set(key, arb);
  return arb;
}

describe('the protobuf writer (codec-write.ts)', () => {
  it('writes every message protobufjs writes, to bytes that decode to the same message', () => {
    for (const type of [CallType, EventType, messageType('mesos.v1.TaskInfo'), messageType('mesos.v1.Offer')]) {
      fc.assert(
        fc.property(messageOf(type, 0), (obj) => {
          const ours = writeMessage(type, obj);
          expect(ours).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(ours as Uint8Array)).toEqual(reference(type, obj));
        }),
        { numRuns: 150 },
      );
    }
  });

  it('writes the ACCEPT of real TaskInfos (Docker, ports, secrets, env; more lengths than its first buffer holds) as protobufjs does', () => {
    const t = template({ container: { image: 'busybox', network: 'HOST', privileged: false, forcePull: false, portMappings: [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }], parameters: [{ key: 'memory-swap', value: '1g' }], volumes: [] } });
    const req = { ...launchRequest('job', 1, t, 0), env: { LANG: 'C.UTF-8', 'ÜNÎCODE': 'välue ✓' }, secrets: { env: { TOKEN: 's3cret' }, files: { 'secrets/key': 'k' } } };
    const info = buildTaskInfo(req, 'agent-1', [{ name: 'cpus', template: { name: 'cpus', type: 'SCALAR', role: '*', allocation_info: { role: '*' } }, scalar: 0.25 }, { name: 'ports', template: { name: 'ports', type: 'RANGES' }, ranges: [[31000, 31000]] }], 'docker');
    const call = { type: 'ACCEPT', framework_id: { value: 'fw' }, accept: { offer_ids: [{ value: 'o1' }], operations: [{ type: 'LAUNCH', launch: { task_infos: Array.from({ length: 300 }, () => info) } }], filters: { refuse_seconds: 5 } } };
    expect(writeMessage(CallType, call)).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(encodeCall(call as never, 'application/x-protobuf'))).toEqual(reference(CallType, call));
    expect(decoded(CallType, reference(CallType, call)).accept.operations[0].launch.task_infos[1].command.environment.variables).toContainEqual({ name: 'TOKEN', type: 'SECRET', secret: { type: 'VALUE', value: { data: Buffer.from('s3cret').toString('base64') } } });
  });

  it('refuses what checkMessage refuses, with the same path and reason', () => {
    const bad: unknown[] = [
      'not an object',
      { type: 'ACCEPT', accept: { offer_ids: [{}] } },
      { framework_id: {}, type: 'ACCEPT' },
      { type: 'NOPE', framework_id: { value: 'f' } },
      { type: 'ACCEPT', accept: { offer_ids: { value: 'o' } } },
      { type: 'ACCEPT', accept: { offer_ids: [{ value: 'o' }, { value: 7 }] } },
      { type: 'ACCEPT', accept: { offer_ids: [], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 'n', task_id: { value: 't' }, agent_id: { value: 'a' }, resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 'x' } }] }] } }] } },
      { type: 'ACCEPT', accept: { offer_ids: [], filters: { refuse_seconds: '1' } } },
      { type: 'KILL', kill: { task_id: { value: 't' }, kill_policy: { grace_period: { nanoseconds: 1.5 } } } },
      { type: 'ACKNOWLEDGE', acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: '%%' } },
      { type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'n', capabilities: [{ type: 'NOT_A_CAPABILITY' }] } } },
    ];
    for (const obj of bad) {
      let expected = '';
      try {
        checkMessage(CallType, obj);
      } catch (err) {
        expected = (err as Error).message;
      }
      expect(expected, JSON.stringify(obj)).not.toBe('');
      expect(writeMessage(CallType, obj)).toBe('invalid');
      expect(() => encodeMessage(CallType, obj, 'application/x-protobuf')).toThrow(expected);
    }
  });

  it('judges validity exactly as checkMessage does, on valid messages with values swapped for wrong ones', () => {
    const junk = ['x', '', 1.5, -1, 2 ** 40, '12', '-3', true, {}, [], null, 'AAA=', '%%', [1], { value: 1 }, 'TASK_RUNNING', 'NOPE'];
    /** `obj` with some values, at any depth, replaced by `junk[pick]` (none when `rate` misses). */
    const mutate = (v: unknown, picks: number[]): unknown => {
      if (v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map((x) => mutate(x, picks));
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const p = picks.shift() ?? 0;
        out[k] = p % 97 === 0 ? junk[p % junk.length] : mutate(x, picks);
      }
      return out;
    };
    const seen = { valid: 0, invalid: 0 };
    for (const type of [CallType, EventType]) {
      fc.assert(
        fc.property(messageOf(type, 0), fc.array(fc.nat(1000), { minLength: 200, maxLength: 200 }), (obj, picks) => {
          const bad = mutate(obj, [...picks]);
          let threw = false;
          try {
            checkMessage(type, bad);
          } catch {
            threw = true;
          }
          expect(isValidMessage(type, bad)).toBe(!threw);
          seen[threw ? 'invalid' : 'valid']++;
        }),
        { numRuns: 200 },
      );
    }
    // Both verdicts are exercised, not one of them only.
    expect(seen.valid).toBeGreaterThan(10);
    expect(seen.invalid).toBeGreaterThan(20);
  });
});
