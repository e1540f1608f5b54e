/**
 * What the codec knows of each message type, decided once per type: its fields by name
 * with the kind of value each takes, their wire tags, and which are `required`. The
 * checker (codec.ts `checkMessage`) and the protobuf writer (codec-write.ts) both walk
 * an object's PRESENT keys through this plan, so a Call or a TaskStatus, whose schema has
 * dozens of fields of which a few are set, costs one map lookup per field set.
 */
import protobuf from 'protobufjs';
import { KairosError } from '../core/errors.js';
import { BASE64 } from './codec-wire.js';

/** A body that does not parse or does not satisfy the schema; `path` names the field. */
export class MesosCodecError extends KairosError {
  readonly path: string;
  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('E_INVALID', path ? `${path}: ${reason}` : reason, options);
    this.name = 'MesosCodecError';
    this.path = path;
  }
}

/** What a field's values must be (and how protobuf writes them). */
export const enum Kind {
  Message,
  Enum,
  String,
  Bool,
  Double,
  Float,
  Int32,
  UInt32,
  SInt32,
  Fixed32,
  SFixed32,
  Int64,
  UInt64,
  SInt64,
  Fixed64,
  SFixed64,
  Bytes,
  Other,
}

/** One field of a message type. */
export interface FieldPlan {
  name: string;
  repeated: boolean;
  kind: Kind;
  /** The varint key of one value: field number << 3 | wire type. */
  key: number;
  message?: protobuf.Type;
  enumType?: protobuf.Enum;
}

/** A message type's fields by name, and those `required`. */
export interface TypePlan {
  byName: Map<string, FieldPlan>;
  required: string[];
}

const KINDS: Record<string, Kind> = {
  string: Kind.String,
  bool: Kind.Bool,
  double: Kind.Double,
  float: Kind.Float,
  int32: Kind.Int32,
  uint32: Kind.UInt32,
  sint32: Kind.SInt32,
  fixed32: Kind.Fixed32,
  sfixed32: Kind.SFixed32,
  int64: Kind.Int64,
  uint64: Kind.UInt64,
  sint64: Kind.SInt64,
  fixed64: Kind.Fixed64,
  sfixed64: Kind.SFixed64,
  bytes: Kind.Bytes,
};

/** The protobuf wire type of a kind: 0 varint, 1 fixed 64-bit, 2 length-delimited, 5 fixed 32-bit. */
function wireTypeOf(kind: Kind): number {
  switch (kind) {
    case Kind.Double:
    case Kind.Fixed64:
    case Kind.SFixed64:
      return 1;
    case Kind.Float:
    case Kind.Fixed32:
    case Kind.SFixed32:
      return 5;
    case Kind.Message:
    case Kind.String:
    case Kind.Bytes:
      return 2;
    default:
      return 0;
  }
}

function kindOf(field: protobuf.Field): Kind {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return Kind.Message;
  if (rt instanceof protobuf.Enum) return Kind.Enum;
  // Map fields and packed repeated scalars (neither in the Mesos v1 schema) are 'Other': the writer leaves them to protobufjs.
  if (field instanceof protobuf.MapField || field.packed) return Kind.Other;
  return KINDS[field.type] ?? Kind.Other;
}

const plans = new WeakMap<protobuf.Type, TypePlan>();

/** The plan of a message type, built on first use. */
export function planOf(type: protobuf.Type): TypePlan {
  let plan = plans.get(type);
  if (plan) return plan;
  plan = { byName: new Map(), required: [] };
  for (const field of type.fieldsArray) {
    const kind = kindOf(field);
    const rt = field.resolvedType;
    plan.byName.set(field.name, {
      name: field.name,
      repeated: field.repeated,
      kind,
      key: field.id * 8 + wireTypeOf(kind),
      ...(kind === Kind.Message && { message: rt as protobuf.Type }),
      ...(kind === Kind.Enum && { enumType: rt as protobuf.Enum }),
    });
    if (field.required) plan.required.push(field.name);
  }
  plans.set(type, plan);
  return plan;
}

/** Throws the codec's error for the field at `path`. */
export function fail(path: string, reason: string): never {
  throw new MesosCodecError(path, reason);
}

/** `parent.name` or `parent.name[index]`: built only for an error or a nested message. */
export function pathOf(parent: string, name: string, index: number): string {
  const p = parent ? `${parent}.${name}` : name;
  return index < 0 ? p : `${p}[${index}]`;
}

const INTEGER = /^-?\d+$/;

/** Why `v` is not a value of `f`, or undefined when it is one (messages are checked by the caller). */
export function problemOf(f: FieldPlan, v: unknown): string | undefined {
  switch (f.kind) {
    case Kind.Enum: {
      const e = f.enumType!;
      return (typeof v === 'string' ? e.values[v] !== undefined : typeof v === 'number' && e.valuesById[v] !== undefined) ? undefined : `unknown ${e.name} value ${JSON.stringify(v)}`;
    }
    case Kind.String:
      return typeof v === 'string' ? undefined : 'string expected';
    case Kind.Bool:
      return typeof v === 'boolean' ? undefined : 'boolean expected';
    case Kind.Double:
    case Kind.Float:
      return typeof v === 'number' ? undefined : 'number expected';
    case Kind.Bytes:
      return v instanceof Uint8Array || (typeof v === 'string' && BASE64.test(v)) ? undefined : 'base64 bytes expected';
    case Kind.Message:
    case Kind.Other:
      return undefined;
    default: {
      // The integer kinds.
      const ok = typeof v === 'number' ? Number.isInteger(v) : typeof v === 'string' && INTEGER.test(v);
      if (!ok) return 'integer expected';
      const unsigned = f.kind === Kind.UInt32 || f.kind === Kind.UInt64 || f.kind === Kind.Fixed32 || f.kind === Kind.Fixed64;
      return unsigned && Number(v) < 0 ? 'non-negative integer expected' : undefined;
    }
  }
}
