/**
 * The UPDATE event as protobuf bytes without protobufjs: every task costs two, written by
 * the embedded master and read by the framework. Only the TaskStatus fields an agent's
 * update carries are taken (task_id, state, data, message, agent_id, timestamp,
 * executor_id, healthy, source, reason, uuid); any other field or event is left
 * (undefined) to the general codec (codec.ts), which also names every problem. Bytes and
 * objects are the general codec's, field for field (test/unit/mesos/codec-fast.test.ts).
 */
import type protobuf from 'protobufjs';
import { asBuffer, BASE64, idFieldSize, idValue, keyCount, Reader, readId, varintSize, writeId, writeVarint } from './codec-wire.js';
import { EventType, messageType } from './proto.js';
import type { Event } from './scheduler-types.js';

const Status = messageType('mesos.v1.TaskStatus');
const enumOf = (field: string) => (Status.fields[field].resolvedType as protobuf.Enum).valuesById;
const STATES = enumOf('state');
const SOURCES = enumOf('source');
const REASONS = enumOf('reason');
const numbersOf = (field: string) => (Status.fields[field].resolvedType as protobuf.Enum).values;
const STATE_IDS = numbersOf('state');
const SOURCE_IDS = numbersOf('source');
const REASON_IDS = numbersOf('reason');
const UPDATE = (EventType.fields.type.resolvedType as protobuf.Enum).values.UPDATE;

/** The name of the enum value `r` reads next (undefined: unknown or malformed). */
function enumName(r: Reader, names: Record<number, string>): string | undefined {
  const v = r.varint();
  return v === undefined ? undefined : names[v];
}

/** A TaskStatus of the fields an agent's update carries; undefined for any other field. */
function readStatus(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
  const r = new Reader(buf, start, end);
  const o: Record<string, unknown> = {};
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
        v = enumName(r, STATES);
        break;
      case 0x48:
        name = 'source';
        v = enumName(r, SOURCES);
        break;
      case 0x50:
        name = 'reason';
        v = enumName(r, REASONS);
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
  const buf = asBuffer(body);
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

/** One TaskStatus field the fast encoder writes: its tag and how. */
type Put = { tag: number; kind: 'id' | 'string' | 'bytes' | 'varint' | 'double'; value: unknown };

/** The fields of a status in field-number order (as protobufjs writes them), or undefined. */
function statusFields(s: Record<string, unknown>): Put[] | undefined {
  const out: Put[] = [];
  let known = 0;
  const enumValue = (v: unknown, ids: Record<string, number>) => (typeof v === 'string' ? ids[v] : undefined);
  const add = (name: string, tag: number, kind: Put['kind'], ok: (v: unknown) => unknown) => {
    const v = s[name];
    if (v === undefined || v === null) return true;
    known++;
    const value = ok(v);
    if (value === undefined) return false;
    out.push({ tag, kind, value });
    return true;
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const bytes = (v: unknown) => (typeof v === 'string' && BASE64.test(v) ? v : undefined);
  const ok =
    add('task_id', 0x0a, 'id', idValue) &&
    add('state', 0x10, 'varint', (v) => enumValue(v, STATE_IDS)) &&
    add('data', 0x1a, 'bytes', bytes) &&
    add('message', 0x22, 'string', str) &&
    add('agent_id', 0x2a, 'id', idValue) &&
    add('timestamp', 0x31, 'double', (v) => (typeof v === 'number' ? v : undefined)) &&
    add('executor_id', 0x3a, 'id', idValue) &&
    add('healthy', 0x40, 'varint', (v) => (typeof v === 'boolean' ? Number(v) : undefined)) &&
    add('source', 0x48, 'varint', (v) => enumValue(v, SOURCE_IDS)) &&
    add('reason', 0x50, 'varint', (v) => enumValue(v, REASON_IDS)) &&
    add('uuid', 0x5a, 'bytes', bytes);
  if (!ok || s.task_id === undefined || s.state === undefined) return undefined;
  // Any other field present (labels, unreachable_time, unknown keys): the general codec's.
  for (const k in s) if (s[k] !== undefined && s[k] !== null) known--;
  return known === 0 ? out : undefined;
}

function sizeOf(p: Put): number {
  switch (p.kind) {
    case 'id':
      return idFieldSize(p.value as string);
    case 'string': {
      const n = Buffer.byteLength(p.value as string);
      return 1 + varintSize(n) + n;
    }
    case 'bytes': {
      const n = Buffer.byteLength(p.value as string, 'base64');
      return 1 + varintSize(n) + n;
    }
    case 'varint':
      return 1 + varintSize(p.value as number);
    case 'double':
      return 9;
  }
}

function put(out: Buffer, at: number, p: Put): number {
  if (p.kind === 'id') return writeId(out, at, p.tag, p.value as string);
  out[at++] = p.tag;
  switch (p.kind) {
    case 'string': {
      at = writeVarint(out, at, Buffer.byteLength(p.value as string));
      return at + out.write(p.value as string, at, 'utf8');
    }
    case 'bytes': {
      at = writeVarint(out, at, Buffer.byteLength(p.value as string, 'base64'));
      return at + out.write(p.value as string, at, 'base64');
    }
    case 'varint':
      return writeVarint(out, at, p.value as number);
    case 'double':
      return out.writeDoubleLE(p.value as number, at);
  }
}

/**
 * An UPDATE event of the usual TaskStatus fields as protobuf bytes (Event: type = 1,
 * update = 5 {status = 1}), or undefined for any other event or field.
 */
export function encodeUpdate(event: Event): Uint8Array | undefined {
  if (event.type !== 'UPDATE' || !event.update || keyCount(event, 2) !== 2 || keyCount(event.update, 1) !== 1) return undefined;
  const s = event.update.status as unknown as Record<string, unknown>;
  if (s === null || typeof s !== 'object') return undefined;
  const fields = statusFields(s);
  if (!fields || fields.some((f) => f.kind === 'varint' && ((f.value as number) < 0 || (f.value as number) >= 0x10000000))) return undefined;
  let statusLen = 0;
  for (const f of fields) statusLen += sizeOf(f);
  const updateLen = 1 + varintSize(statusLen) + statusLen;
  const out = Buffer.allocUnsafe(2 + 1 + varintSize(updateLen) + updateLen);
  let at = 0;
  out[at++] = 0x08;
  out[at++] = UPDATE;
  out[at++] = 0x2a;
  at = writeVarint(out, at, updateLen);
  out[at++] = 0x0a;
  at = writeVarint(out, at, statusLen);
  for (const f of fields) at = put(out, at, f);
  return out;
}
