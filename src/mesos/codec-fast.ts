/**
 * Protobuf fast paths for the two messages every task status costs, twice per task and
 * on both sides of the API: the UPDATE event (master → framework) and the ACKNOWLEDGE
 * call (framework → master). The general codec (codec.ts) converts through protobufjs
 * message objects, checks the plain object field by field and base64-codes bytes in
 * JavaScript; here the wire bytes are written or read directly. Each fast path takes only
 * the shapes it fully understands and otherwise answers undefined, so the general codec
 * handles (and names the problems of) everything else. The bytes written and the objects
 * read are exactly the general codec's (test/unit/mesos/codec-fast.test.ts checks both).
 */
import type protobuf from 'protobufjs';
import { EventType, messageType } from './proto.js';
import type { Call, Event } from './scheduler-types.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const Status = messageType('mesos.v1.TaskStatus');
const enumOf = (field: string) => (Status.fields[field].resolvedType as protobuf.Enum).valuesById;
const STATES = enumOf('state');
const SOURCES = enumOf('source');
const REASONS = enumOf('reason');
const UPDATE = (EventType.fields.type.resolvedType as protobuf.Enum).values.UPDATE;

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : 4;
}

function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  return at;
}

/** `{ value }` of an ID message, when it is exactly that. */
function idValue(id: unknown): string | undefined {
  if (id === null || typeof id !== 'object') return undefined;
  const keys = Object.keys(id);
  const v = (id as { value?: unknown }).value;
  return keys.length === 1 && typeof v === 'string' ? v : undefined;
}

/**
 * An ACKNOWLEDGE call as protobuf bytes (Call: framework_id = 1, type = 2, acknowledge =
 * 8 {agent_id = 1, task_id = 2, uuid = 3}), or undefined for any other call or shape.
 */
export function encodeAcknowledge(call: Call): Uint8Array | undefined {
  if (call.type !== 'ACKNOWLEDGE' || Object.keys(call).length !== 3 || !call.acknowledge) return undefined;
  const a = call.acknowledge;
  const fw = idValue(call.framework_id);
  const agent = idValue(a.agent_id);
  const task = idValue(a.task_id);
  if (fw === undefined || agent === undefined || task === undefined || Object.keys(a).length !== 3) return undefined;
  if (typeof a.uuid !== 'string' || !BASE64.test(a.uuid)) return undefined;
  const uuidLen = Buffer.byteLength(a.uuid, 'base64');
  const fwLen = Buffer.byteLength(fw);
  const agentLen = Buffer.byteLength(agent);
  const taskLen = Buffer.byteLength(task);
  const idSize = (n: number) => 1 + varintSize(n) + n; // the ID message {value = 1}
  const agentMsg = idSize(agentLen);
  const taskMsg = idSize(taskLen);
  const ackLen = 1 + varintSize(agentMsg) + agentMsg + 1 + varintSize(taskMsg) + taskMsg + 1 + varintSize(uuidLen) + uuidLen;
  const fwMsg = idSize(fwLen);
  const out = Buffer.allocUnsafe(1 + varintSize(fwMsg) + fwMsg + 2 + 1 + varintSize(ackLen) + ackLen);
  let at = 0;
  const id = (tag: number, msg: number, value: string, len: number) => {
    out[at++] = tag;
    at = writeVarint(out, at, msg);
    out[at++] = 0x0a;
    at = writeVarint(out, at, len);
    at += out.write(value, at, 'utf8');
  };
  id(0x0a, fwMsg, fw, fwLen);
  out[at++] = 0x10; // type
  out[at++] = 8; // ACKNOWLEDGE
  out[at++] = 0x42; // acknowledge
  at = writeVarint(out, at, ackLen);
  id(0x0a, agentMsg, agent, agentLen);
  id(0x12, taskMsg, task, taskLen);
  out[at++] = 0x1a;
  at = writeVarint(out, at, uuidLen);
  out.write(a.uuid, at, 'base64');
  return out;
}

/** A protobuf reader over one buffer that gives up (undefined) on anything unexpected. */
class Reader {
  at: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.at = start;
  }

  varint(): number | undefined {
    let n = 0;
    for (let shift = 0; shift < 28 && this.at < this.end; shift += 7) {
      const b = this.buf[this.at++];
      n |= (b & 0x7f) << shift;
      if (b < 0x80) return n >>> 0;
    }
    return undefined;
  }

  /** The [start, end) of a length-delimited field's bytes. */
  span(): [number, number] | undefined {
    const len = this.varint();
    if (len === undefined || this.at + len > this.end) return undefined;
    const s: [number, number] = [this.at, this.at + len];
    this.at += len;
    return s;
  }
}

/** `{ value }` from an ID message's bytes. */
function readId(buf: Buffer, [start, end]: [number, number]): { value: string } | undefined {
  const r = new Reader(buf, start, end);
  if (r.varint() !== 0x0a) return undefined;
  const s = r.span();
  return s && r.at === end ? { value: buf.toString('utf8', s[0], s[1]) } : undefined;
}

/** A TaskStatus of the fields an agent's update carries; undefined for any other field. */
function readStatus(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
  const r = new Reader(buf, start, end);
  const o: Record<string, unknown> = {};
  const enumName = (names: Record<number, string>) => {
    const v = r.varint();
    return v === undefined ? undefined : names[v];
  };
  while (r.at < end) {
    const tag = r.varint();
    let v: unknown;
    let name: string;
    switch (tag) {
      case 0x0a: // task_id
      case 0x2a: // agent_id
      case 0x3a: {
        // executor_id
        name = tag === 0x0a ? 'task_id' : tag === 0x2a ? 'agent_id' : 'executor_id';
        const s = r.span();
        v = s && readId(buf, s);
        break;
      }
      case 0x10:
        name = 'state';
        v = enumName(STATES);
        break;
      case 0x48:
        name = 'source';
        v = enumName(SOURCES);
        break;
      case 0x50:
        name = 'reason';
        v = enumName(REASONS);
        break;
      case 0x22: {
        name = 'message';
        const s = r.span();
        v = s && buf.toString('utf8', s[0], s[1]);
        break;
      }
      case 0x1a: // data
      case 0x5a: {
        // uuid
        name = tag === 0x1a ? 'data' : 'uuid';
        const s = r.span();
        v = s && buf.toString('base64', s[0], s[1]);
        break;
      }
      case 0x31:
        name = 'timestamp';
        if (r.at + 8 > end) return undefined;
        v = buf.readDoubleLE(r.at);
        r.at += 8;
        break;
      case 0x40: {
        name = 'healthy';
        const b = r.varint();
        v = b === undefined ? undefined : b !== 0;
        break;
      }
      default:
        return undefined;
    }
    if (v === undefined || name in o) return undefined;
    o[name] = v;
  }
  return o.task_id && o.state ? o : undefined;
}

/**
 * Decodes protobuf bytes that are an UPDATE event (Event: type = 1, update = 5 {status =
 * 1}) of the usual TaskStatus fields; undefined for any other event or field.
 */
export function decodeUpdate(body: Uint8Array): Event | undefined {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const r = new Reader(buf, 0, buf.length);
  let type: number | undefined;
  let status: Record<string, unknown> | undefined;
  while (r.at < buf.length) {
    const tag = r.varint();
    if (tag === 0x08 && type === undefined) type = r.varint();
    else if (tag === 0x2a && status === undefined) {
      const u = r.span();
      if (!u) return undefined;
      const inner = new Reader(buf, u[0], u[1]);
      if (inner.varint() !== 0x0a) return undefined;
      const s = inner.span();
      if (!s || inner.at !== u[1]) return undefined;
      status = readStatus(buf, s[0], s[1]);
      if (!status) return undefined;
    } else return undefined;
  }
  return type === UPDATE && status ? ({ type: 'UPDATE', update: { status } } as unknown as Event) : undefined;
}
