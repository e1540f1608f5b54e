/**
 * Encodes and decodes scheduler Calls and Events in both encodings the Mesos v1 HTTP API
 * speaks (mesos.apache.org/documentation/latest/scheduler-http-api/): `application/x-protobuf` and `application/json`.
 * JSON follows the master's stout conventions, not the proto3 JSON mapping: snake_case
 * proto field names, enums as names, bytes as base64, int64 as numbers; unknown field
 * names are ignored and a missing `required` field is an error. Decoded objects have the
 * same shape whichever encoding they came in (see src/mesos/types.ts).
 */
import protobuf from 'protobufjs';
import { fail, Kind, MesosCodecError, pathOf, planOf, problemOf, type FieldPlan } from './codec-plan.js';
import { isValidMessage, writeMessage } from './codec-write.js';
import { decodeAcknowledge, encodeAcknowledge } from './codec-ack.js';
import { decodeUpdate, encodeUpdate } from './codec-update.js';
import { CallType, EventType, messageType } from './proto.js';
import type { Call, Event } from './scheduler-types.js';

/** The two media types of the Mesos v1 API. */
export type Encoding = 'application/json' | 'application/x-protobuf';

/** The media types, for exact Content-Type / Accept matching. */
export const JSON_TYPE: Encoding = 'application/json';
export const PROTOBUF_TYPE: Encoding = 'application/x-protobuf';

export { MesosCodecError };

const toObjectOptions: protobuf.IConversionOptions = { enums: String, longs: Number, bytes: String, defaults: false };

/** Checks one value of a field; the path is joined only for an error or a nested message. */
function checkValue(f: FieldPlan, v: unknown, parent: string, index: number): void {
  if (f.kind === Kind.Message) return checkMessage(f.message!, v, pathOf(parent, f.name, index));
  const problem = problemOf(f, v);
  if (problem) fail(pathOf(parent, f.name, index), problem);
}

/**
 * Validates a plain (snake_case) object against a message type: presence of every
 * `required` field, types of known fields, enum names, recursively. Unknown keys pass
 * (stout ignores them; protobufjs drops them on conversion).
 */
export function checkMessage(type: protobuf.Type, obj: unknown, path = ''): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) fail(path, 'object expected');
  const o = obj as Record<string, unknown>;
  const plan = planOf(type);
  for (const name of plan.required) if (o[name] === undefined || o[name] === null) fail(pathOf(path, name, -1), 'missing required field');
  for (const name in o) {
    const f = plan.byName.get(name);
    const v = o[name];
    if (f === undefined || v === undefined || v === null) continue;
    if (!f.repeated) checkValue(f, v, path, -1);
    else if (!Array.isArray(v)) fail(pathOf(path, name, -1), 'array expected');
    else for (let i = 0; i < v.length; i++) checkValue(f, v[i], path, i);
  }
}

/** Encodes a plain object as `type` in the given encoding, validating it first. */
export function encodeMessage(type: protobuf.Type, obj: unknown, enc: Encoding): Uint8Array {
  // The generated writer (codec-write.ts) when it can; checkMessage names what it refused.
  const written = enc === PROTOBUF_TYPE ? writeMessage(type, obj) : undefined;
  if (written instanceof Uint8Array) return written;
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
    if (isValidMessage(type, obj) !== true) checkMessage(type, obj);
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
  return (enc === PROTOBUF_TYPE && encodeAcknowledge(call)) || encodeMessage(CallType, call, enc);
}

/** Decodes a scheduler Call; throws MesosCodecError naming the offending field. */
export function decodeCall(body: Uint8Array, enc: Encoding): Call {
  return (enc === PROTOBUF_TYPE && decodeAcknowledge(body)) || (decodeMessage(CallType, body, enc) as Call);
}

/** Encodes a scheduler Event (one RecordIO record of the subscription stream). */
export function encodeEvent(event: Event, enc: Encoding): Uint8Array {
  return (enc === PROTOBUF_TYPE && encodeUpdate(event)) || encodeMessage(EventType, event, enc);
}

/** Decodes a scheduler Event; throws MesosCodecError naming the offending field. */
export function decodeEvent(body: Uint8Array, enc: Encoding): Event {
  return (enc === PROTOBUF_TYPE && decodeUpdate(body)) || (decodeMessage(EventType, body, enc) as Event);
}

/** Validates a plain object as the named message, e.g. `mesos.v1.TaskInfo`. */
export function checkNamed(fullName: string, obj: unknown, path = ''): void {
  checkMessage(messageType(fullName), obj, path);
}

/** Parses an exact media type (no parameters), as the master does; undefined otherwise. */
export function encodingOf(mediaType: string | undefined): Encoding | undefined {
  return mediaType === JSON_TYPE || mediaType === PROTOBUF_TYPE ? mediaType : undefined;
}
