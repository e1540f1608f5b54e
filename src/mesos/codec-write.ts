/**
 * Protobuf bytes straight from a plain snake_case object. Through protobufjs a Call took
 * three walks and a copy: `checkMessage`, then `fromObject` (a Message object per nested
 * message), then `encode`, which made ACCEPT the framework's dearest call per task (about
 * 10 µs per TaskInfo) and OFFERS the master's dearest event. Here each message type gets
 * two functions generated on first use (as protobufjs generates its own): one sizes an
 * object and checks it on the way (every nested length and string length kept in one
 * array, in the order met), one writes it into a buffer of the exact size. Fields go out
 * by field number, as protobufjs writes them, so the bytes are protobufjs's
 * (test/unit/mesos/codec-write.test.ts).
 *
 * The generated check only says that something is wrong; the caller (codec.ts) then runs
 * `checkMessage`, which names the field, so errors are the codec's own by construction. A
 * field the generator does not handle (map or packed, none in the Mesos v1 schema) makes
 * `writeMessage` answer undefined, and the caller uses protobufjs.
 */
import type protobuf from 'protobufjs';
import { Kind, planOf, problemOf, type FieldPlan } from './codec-plan.js';
import { varintSize } from './codec-wire.js';

/** Thrown by the generated code when a value is not what its field takes. */
const BAD = new Error('not a valid message');
function bad(): never {
  throw BAD;
}

/** Bytes of `s` in UTF-8: counted here for short ASCII (most of what a Call holds), by Buffer otherwise. */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < n; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return n;
}

/** The unsigned varint an integer or enum value is written as (a number up to 2^53, else a bigint); BAD if it is none. */
function varintOf(f: FieldPlan, v: unknown): number | bigint {
  if (f.kind === Kind.Enum) {
    const n = typeof v === 'string' ? f.enumType!.values[v] : typeof v === 'number' && f.enumType!.valuesById[v] !== undefined ? v : undefined;
    if (n === undefined) bad();
    return n >= 0 ? n : BigInt.asUintN(64, BigInt(n));
  }
  if (problemOf(f, v)) bad();
  switch (f.kind) {
    case Kind.Int32: {
      const n = Number(v) | 0;
      return n >= 0 ? n : BigInt.asUintN(64, BigInt(n));
    }
    case Kind.UInt32:
      return Number(v) >>> 0;
    case Kind.SInt32: {
      const n = Number(v) | 0;
      return ((n << 1) ^ (n >> 31)) >>> 0;
    }
    case Kind.SInt64: {
      if (typeof v === 'number' && Math.abs(v) <= 2 ** 51) return v >= 0 ? 2 * v : -2 * v - 1;
      const n = BigInt(v as string | number);
      return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
    }
    default: // int64, uint64
      if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) return v;
      return BigInt.asUintN(64, BigInt(v as string | number));
  }
}

/** A value that is not a message, as checkMessage takes it; BAD otherwise. */
function checked(f: FieldPlan, v: unknown): unknown {
  if (problemOf(f, v)) bad();
  return v;
}

/** The output buffer and the sizes the first walk measured. */
class Out {
  at = 0;
  next = 0;
  constructor(
    readonly buf: Buffer,
    readonly sizes: Int32Array,
  ) {}

  varint(n: number | bigint): void {
    const buf = this.buf;
    if (typeof n === 'bigint') {
      for (; n >= 128n; n >>= 7n) buf[this.at++] = Number(n & 127n) | 128;
      buf[this.at++] = Number(n);
      return;
    }
    for (; n >= 128; n = Math.floor(n / 128)) buf[this.at++] = (n % 128) | 128;
    buf[this.at++] = n;
  }

  /** A string or bytes field's value, its length taken from the sizes. */
  bytes(v: string | Uint8Array, base64: boolean): void {
    const n = this.sizes[this.next++];
    this.varint(n);
    const buf = this.buf;
    if (typeof v !== 'string') buf.set(v, this.at);
    else if (base64) buf.write(v, this.at, 'base64');
    else if (n === v.length && n <= 64) for (let i = 0; i < n; i++) buf[this.at + i] = v.charCodeAt(i);
    else buf.write(v, this.at, 'utf8');
    this.at += n;
  }

  /** A fixed-width value (wire types 1 and 5). */
  fixed(f: FieldPlan, v: unknown): void {
    const buf = this.buf;
    if (f.kind === Kind.Double) this.at = buf.writeDoubleLE(v as number, this.at);
    else if (f.kind === Kind.Float) this.at = buf.writeFloatLE(v as number, this.at);
    else if (f.kind === Kind.Fixed32) this.at = buf.writeUInt32LE(Number(v) >>> 0, this.at);
    else if (f.kind === Kind.SFixed32) this.at = buf.writeInt32LE(Number(v) | 0, this.at);
    else this.at = buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v as string | number)), this.at);
  }
}

type SizeFn = (o: Record<string, unknown>, sizes: Sizes) => number;
type WriteFn = (o: Record<string, unknown>, out: Out) => void;

/** The generated pair of one message type; undefined when it has a field the generator leaves to protobufjs. */
interface Compiled {
  size: SizeFn;
  write: WriteFn;
}

/**
 * The lengths the first walk measures, in order: one buffer for every call (nothing here
 * is re-entered), grown when a call needs more, so no call allocates its own.
 */
interface Sizes {
  s: Int32Array;
  n: number;
}
const SIZES: Sizes = { s: new Int32Array(4096), n: 0 };

function grow(z: Sizes): void {
  const bigger = new Int32Array(z.s.length * 2);
  bigger.set(z.s);
  z.s = bigger;
}

const compiled = new WeakMap<protobuf.Type, Compiled | null>();
const helpers = { bad, utf8Length, varintSize, varintOf, checked, grow };

/** The code that sizes (`sizing`) or writes one value `v` of field number `i` (its plan is `F[i]`). */
function valueCode(f: FieldPlan, i: number, sizing: boolean): string {
  const key = varintSize(f.key);
  if (f.kind === Kind.Message) {
    const isObject = `if (typeof v !== 'object' || Array.isArray(v)) h.bad();`;
    return sizing ? `${isObject} if (S.n === S.s.length) h.grow(S); j = S.n++; k = (M[${i}] || R(${i})).size(v, S); S.s[j] = k; n += ${key} + h.varintSize(k) + k;` : `O.varint(${f.key}); O.varint(O.sizes[O.next++]); (M[${i}] || R(${i})).write(v, O);`;
  }
  if (f.kind === Kind.String || f.kind === Kind.Bytes) {
    const length = f.kind === Kind.String ? `if (typeof v !== 'string') h.bad(); k = h.utf8Length(v);` : `h.checked(F[${i}], v); k = typeof v === 'string' ? Buffer.byteLength(v, 'base64') : v.byteLength;`;
    return sizing ? `${length} if (S.n === S.s.length) h.grow(S); S.s[S.n++] = k; n += ${key} + h.varintSize(k) + k;` : `O.varint(${f.key}); O.bytes(v, ${f.kind === Kind.Bytes});`;
  }
  if (f.kind === Kind.Bool) return sizing ? `if (typeof v !== 'boolean') h.bad(); n += ${key + 1};` : `O.varint(${f.key}); O.buf[O.at++] = v ? 1 : 0;`;
  const width = f.kind === Kind.Double || f.kind === Kind.Fixed64 || f.kind === Kind.SFixed64 ? 8 : f.kind === Kind.Float || f.kind === Kind.Fixed32 || f.kind === Kind.SFixed32 ? 4 : 0;
  if (width) return sizing ? `h.checked(F[${i}], v); n += ${key + width};` : `O.varint(${f.key}); O.fixed(F[${i}], v);`;
  return sizing ? `n += ${key} + h.varintSize(h.varintOf(F[${i}], v));` : `O.varint(${f.key}); O.varint(h.varintOf(F[${i}], v));`;
}

/** Generates the pair of `type`, fields by number (protobufjs's order); nested types are compiled when first met. */
function compile(type: protobuf.Type): Compiled | undefined {
  const known = compiled.get(type);
  if (known !== undefined) return known ?? undefined;
  const plan = planOf(type);
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id).map((x) => plan.byName.get(x.name)!);
  if (fields.some((f) => f.kind === Kind.Other)) {
    compiled.set(type, null);
    return undefined;
  }
  // Nested types' pairs, resolved on first use (a type may nest itself).
  const nested: Array<Compiled | undefined> = fields.map(() => undefined);
  const resolve = (i: number): Compiled => (nested[i] = compile(fields[i].message!) ?? bad());
  const body = (sizing: boolean) =>
    fields
      .map((f, i) => {
        const get = `v = o[${JSON.stringify(f.name)}];`;
        const missing = plan.required.includes(f.name) ? 'h.bad();' : '';
        const one = valueCode(f, i, sizing);
        if (!f.repeated) return `${get} if (v === undefined || v === null) { ${missing} } else { ${one} }`;
        return `${get} if (v === undefined || v === null) { ${missing} } else { if (!Array.isArray(v)) h.bad(); const a = v; for (let x = 0; x < a.length; x++) { v = a[x]; ${one} } }`;
      })
      .join('\n');
  const make = (code: string) => new Function('h', 'F', 'M', 'R', code)(helpers, fields, nested, resolve);
  const size = make(`return function size_${type.name}(o, S) { let n = 0, v, k, j;\n${body(true)}\nreturn n; };`) as SizeFn;
  const write = make(`return function write_${type.name}(o, O) { let v;\n${body(false)}\n};`) as WriteFn;
  const c = { size, write };
  compiled.set(type, c);
  return c;
}

/** The byte size of `obj` by the generated sizer, leaving its lengths in SIZES; -1 when it is not a valid message. */
function measure(c: Compiled, obj: unknown): number {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return -1;
  SIZES.n = 0;
  try {
    return c.size(obj as Record<string, unknown>, SIZES);
  } catch (err) {
    if (err === BAD) return -1;
    throw err;
  }
}

/**
 * Whether `obj` is a valid message of `type` by the generated sizer, which checks what
 * checkMessage checks (the codec runs it after every protobufjs decode: the embedded
 * master's ACCEPTs, the framework's OFFERS) at a fraction of its cost; undefined when the
 * type has a field the generator leaves to protobufjs. On false, checkMessage names the field.
 */
export function isValidMessage(type: protobuf.Type, obj: unknown): boolean | undefined {
  const c = compile(type);
  return c ? measure(c, obj) >= 0 : undefined;
}

/**
 * `obj` as protobuf bytes of `type` when it is a valid message of it; 'invalid' when it is
 * not (the caller runs checkMessage for the reason); undefined when the type has a field
 * the generator leaves to protobufjs.
 */
export function writeMessage(type: protobuf.Type, obj: unknown): Uint8Array | 'invalid' | undefined {
  const c = compile(type);
  if (!c) return undefined;
  const size = measure(c, obj);
  if (size < 0) return 'invalid';
  const out = new Out(Buffer.allocUnsafe(size), SIZES.s);
  c.write(obj as Record<string, unknown>, out);
  return out.buf;
}
