/**
 * Protobuf wire primitives for the codec's fast paths (codec-ack.ts, codec-update.ts):
 * varints, length-delimited spans and the one-string ID messages (TaskID, AgentID, ...).
 * A Reader answers undefined on anything unexpected, so a fast path can hand the bytes
 * to the general codec (codec.ts), which names the problem.
 */

/** Base64 text, as the codec carries bytes fields. */
export const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of an unsigned varint: a number up to 2^53, or a bigint (64-bit values, codec-write.ts). */
export function varintSize(n: number | bigint): number {
  if (typeof n === 'bigint') {
    let s = 1;
    while (n >= 128n) (n >>= 7n), s++;
    return s;
  }
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  let s = 3;
  for (n = Math.floor(n / 0x200000); n > 0; n = Math.floor(n / 128)) s++;
  return s;
}

/** Writes `n` as a varint at `at`; returns the position after it. */
export function writeVarint(out: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[at++] = n;
  return at;
}

/** How many own enumerable keys `o` has, counted up to `max + 1` without an array (Object.keys per ID was a third of an ACK's garbage). */
export function keyCount(o: object, max: number): number {
  let n = 0;
  for (const k in o) if (Object.hasOwn(o, k) && ++n > max) break;
  return n;
}

/** `{ value }` of an ID message, when it is exactly that. */
export function idValue(id: unknown): string | undefined {
  if (id === null || typeof id !== 'object') return undefined;
  const v = (id as { value?: unknown }).value;
  return typeof v === 'string' && keyCount(id, 1) === 1 ? v : undefined;
}

/** Bytes of an ID message field: tag, length, then {value = 1}. */
export function idFieldSize(value: string): number {
  const n = Buffer.byteLength(value);
  const msg = 1 + varintSize(n) + n;
  return 1 + varintSize(msg) + msg;
}

/** Writes an ID message field (`tag`, {value = 1}); returns the position after it. */
export function writeId(out: Buffer, at: number, tag: number, value: string): number {
  const n = Buffer.byteLength(value);
  out[at++] = tag;
  at = writeVarint(out, at, 1 + varintSize(n) + n);
  out[at++] = 0x0a;
  at = writeVarint(out, at, n);
  return at + out.write(value, at, 'utf8');
}

/** The bytes of `body` as a Buffer, without copying. */
export function asBuffer(body: Uint8Array): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** A protobuf reader over one buffer that gives up (undefined) on anything unexpected. */
export class Reader {
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

  /** The one span this reader hands out: overwritten by the next `span()` (a status has a dozen fields). */
  private readonly last: [number, number] = [0, 0];

  /** The [start, end) of a length-delimited field's bytes, valid until this reader's next `span()`. */
  span(): [number, number] | undefined {
    const len = this.varint();
    if (len === undefined || this.at + len > this.end) return undefined;
    this.last[0] = this.at;
    this.last[1] = this.at + len;
    this.at += len;
    return this.last;
  }
}

/** `{ value }` from an ID message's bytes (exactly field 1, a string), read in place. */
export function readId(buf: Buffer, s: [number, number]): { value: string } | undefined {
  const end = s[1];
  let at = s[0];
  if (buf[at++] !== 0x0a) return undefined;
  let len = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= end || shift > 21) return undefined;
    const b = buf[at++];
    len |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  return at + len === end ? { value: buf.toString('utf8', at, end) } : undefined;
}
