/**
 * Encodes and decodes scheduler Calls and Events in both encodings the Mesos v1 HTTP API
 * speaks (mesos.apache.org/documentation/latest/scheduler-http-api/): `application/x-protobuf` and `application/json`.
 * JSON follows the master's stout conventions, not the proto3 JSON mapping: snake_case
 * proto field names, enums as names, bytes as base64, int64 as numbers; unknown field
 * names are ignored and a missing `required` field is an error. Decoded objects have the
 * same shape whichever encoding they came in (see src/mesos/types.ts).
 */
import protobuf from 'protobufjs';
import { KairosError } from '../core/errors.js';
import { CallType, EventType, messageType } from './proto.js';
import type { Call, Event } from './scheduler-types.js';

/** The two media types of the Mesos v1 API. */
export type Encoding = 'application/json' | 'application/x-protobuf';

/** The media types, for exact Content-Type / Accept matching. */
export const JSON_TYPE: Encoding = 'application/json';
export const PROTOBUF_TYPE: Encoding = 'application/x-protobuf';

/** A body that does not parse or does not satisfy the schema; `path` names the field. */
export class MesosCodecError extends KairosError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('E_INVALID', path ? `${path}: ${reason}` : reason, options);
    this.path = path;
    this.name = 'MesosCodecError';
  }
}

const toObjectOptions: protobuf.IConversionOptions = { enums: String, longs: Number, bytes: String, defaults: false };
const INT_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fail(path: string, reason: string): never {
  throw new MesosCodecError(path, reason);
}

/** `parent.name` or `parent.name[index]`: built only for an error or a nested message. */
function pathOf(parent: string, name: string, index: number): string {
  const p = parent ? `${parent}.${name}` : name;
  return index < 0 ? p : `${p}[${index}]`;
}

/**
 * Checks one scalar, enum or nested message value against its field's type. The field's
 * path is passed in parts and joined only when needed: this runs for every field of every
 * Call and Event, and eager path strings were most of the framework's encoding cost.
 */
function checkValue(field: protobuf.Field, v: unknown, parent: string, index: number): void {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return checkMessage(rt, v, pathOf(parent, field.name, index));
  if (rt instanceof protobuf.Enum) {
    if (typeof v === 'string' ? rt.values[v] === undefined : !(typeof v === 'number' && rt.valuesById[v] !== undefined))
      fail(pathOf(parent, field.name, index), `unknown ${rt.name} value ${JSON.stringify(v)}`);
    return;
  }
  const t = field.type;
  if (t === 'string') {
    if (typeof v !== 'string') fail(pathOf(parent, field.name, index), 'string expected');
  } else if (t === 'bool') {
    if (typeof v !== 'boolean') fail(pathOf(parent, field.name, index), 'boolean expected');
  } else if (t === 'double' || t === 'float') {
    if (typeof v !== 'number') fail(pathOf(parent, field.name, index), 'number expected');
  } else if (INT_TYPES.has(t)) {
    const ok = typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && /^-?\d+$/.test(v);
    if (!ok) fail(pathOf(parent, field.name, index), 'integer expected');
    if (t.startsWith('u') || t.startsWith('fixed')) if (Number(v) < 0) fail(pathOf(parent, field.name, index), 'non-negative integer expected');
  } else if (t === 'bytes') {
    if (!(v instanceof Uint8Array) && !(typeof v === 'string' && BASE64.test(v))) fail(pathOf(parent, field.name, index), 'base64 bytes expected');
  }
}

/**
 * Validates a plain (snake_case) object against a message type: types of known fields,
 * enum names, and presence of every `required` field, recursively. Unknown keys pass
 * (stout ignores them; protobufjs drops them on conversion).
 */
export function checkMessage(type: protobuf.Type, obj: unknown, path = ''): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) fail(path, 'object expected');
  const o = obj as Record<string, unknown>;
  const fields = type.fieldsArray;
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f];
    const v = o[field.name];
    if (v === undefined || v === null) {
      if (field.required) fail(pathOf(path, field.name, -1), 'missing required field');
      continue;
    }
    if (field.repeated) {
      if (!Array.isArray(v)) fail(pathOf(path, field.name, -1), 'array expected');
      for (let i = 0; i < v.length; i++) checkValue(field, v[i], path, i);
    } else checkValue(field, v, path, -1);
  }
}

/** Encodes a plain object as `type` in the given encoding, validating it first. */
export function encodeMessage(type: protobuf.Type, obj: unknown, enc: Encoding): Uint8Array {
  checkMessage(type, obj);
  const msg = type.fromObject(obj as Record<string, unknown>);
  if (enc === PROTOBUF_TYPE) return type.encode(msg).finish();
  return Buffer.from(JSON.stringify(type.toObject(msg, toObjectOptions)), 'utf8');
}

/** Decodes bytes of the given encoding into a validated plain object of `type`. */
export function decodeMessage(type: protobuf.Type, body: Uint8Array, enc: Encoding): Record<string, unknown> {
  if (enc === PROTOBUF_TYPE) {
    let msg: protobuf.Message;
    try {
      msg = type.decode(body);
    } catch (err) {
      throw new MesosCodecError('', `malformed protobuf ${type.name}: ${(err as Error).message}`, { cause: err });
    }
    const obj = type.toObject(msg, toObjectOptions);
    checkMessage(type, obj);
    return obj;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (err) {
    throw new MesosCodecError('', `malformed JSON ${type.name}: ${(err as Error).message}`, { cause: err });
  }
  checkMessage(type, parsed);
  return type.toObject(type.fromObject(parsed as Record<string, unknown>), toObjectOptions);
}

/** Encodes a scheduler Call (the body of a POST to /api/v1/scheduler). */
export function encodeCall(call: Call, enc: Encoding): Uint8Array {
  return encodeMessage(CallType, call, enc);
}

/** Decodes a scheduler Call; throws MesosCodecError naming the offending field. */
export function decodeCall(body: Uint8Array, enc: Encoding): Call {
  return decodeMessage(CallType, body, enc) as Call;
}

/** Encodes a scheduler Event (one RecordIO record of the subscription stream). */
export function encodeEvent(event: Event, enc: Encoding): Uint8Array {
  return encodeMessage(EventType, event, enc);
}

/** Decodes a scheduler Event; throws MesosCodecError naming the offending field. */
export function decodeEvent(body: Uint8Array, enc: Encoding): Event {
  return decodeMessage(EventType, body, enc) as Event;
}

/** Validates a plain object as the named message, e.g. `mesos.v1.TaskInfo`. */
export function checkNamed(fullName: string, obj: unknown, path = ''): void {
  checkMessage(messageType(fullName), obj, path);
}

/** Parses an exact media type (no parameters), as the master does; undefined otherwise. */
export function encodingOf(mediaType: string | undefined): Encoding | undefined {
  return mediaType === JSON_TYPE || mediaType === PROTOBUF_TYPE ? mediaType : undefined;
}
