/**
 * RecordIO framing of the Mesos subscription stream (mesos.apache.org/documentation/latest/recordio/):
 * `record = record-size LF record-data`, record-size = ASCII decimal count of BYTES.
 * Chunk boundaries carry no meaning (proxies re-chunk), so the decoder works on bytes
 * and may be fed any split of the stream.
 */
import { KairosError } from '../core/errors.js';

const LF = 0x0a;
/** Default cap on one record: far above any event Mesos sends, far below memory trouble. */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Frames one record: its byte length in decimal, LF, then the bytes. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  return encodeRecords([data]);
}

/** Frames records one after the other into one buffer (one chunk, one socket write). */
export function encodeRecords(records: readonly Uint8Array[]): Buffer {
  let bytes = 0;
  for (const r of records) bytes += r.byteLength + String(r.byteLength).length + 1;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const r of records) {
    at += out.write(`${r.byteLength}\n`, at, 'latin1');
    out.set(r, at);
    at += r.byteLength;
  }
  return out;
}

/** The stream is not valid RecordIO; the connection must be dropped. */
export class RecordIOError extends KairosError {
  constructor(reason: string) {
    super('E_MESOS', `RecordIO: ${reason}`);
    this.name = 'RecordIOError';
  }
}

/**
 * Incremental decoder: `push(chunk)` returns every record completed by that chunk, as a
 * copy; with `views`, a record that lies whole in the chunk comes as a view of it (no
 * copy), for a caller that decodes each record before the chunk can change.
 * Rejects a size that is not 1-20 decimal digits, a zero size, and records larger than
 * `maxRecordBytes`; after an error the decoder stays failed.
 */
export class RecordIODecoder {
  private readonly max: number;
  private readonly views: boolean;
  /** The size line read so far: its value and how many digits it had. */
  private size = 0;
  private sizeDigits = 0;
  private need = -1; // -1: reading the size line
  private parts: Uint8Array[] = [];
  private got = 0;
  private failed: RecordIOError | undefined;

  constructor(opts: { maxRecordBytes?: number; views?: boolean } = {}) {
    this.max = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.views = opts.views ?? false;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.byteLength) {
      if (this.need < 0) {
        const b = chunk[i++];
        if (b !== LF) {
          if (b < 0x30 || b > 0x39 || this.sizeDigits >= 20) this.fail(`malformed record size ${JSON.stringify((this.sizeDigits ? String(this.size) : '') + String.fromCharCode(b))}`);
          this.size = this.size * 10 + (b - 0x30);
          this.sizeDigits++;
          continue;
        }
        if (this.sizeDigits === 0) this.fail('empty record size');
        const size = this.size;
        this.size = 0;
        this.sizeDigits = 0;
        if (size === 0) this.fail('record size 0');
        if (size > this.max) this.fail(`record of ${size} bytes exceeds the limit of ${this.max}`);
        this.need = size;
        continue;
      }
      const take = Math.min(this.need - this.got, chunk.byteLength - i);
      if (this.got === 0 && take === this.need) {
        // The whole record in this chunk (most are).
        out.push(this.views ? chunk.subarray(i, i + take) : new Uint8Array(chunk.subarray(i, i + take)));
        i += take;
        this.need = -1;
        continue;
      }
      this.parts.push(chunk.subarray(i, i + take));
      this.got += take;
      i += take;
      if (this.got === this.need) {
        out.push(this.parts.length === 1 ? new Uint8Array(this.parts[0]) : new Uint8Array(Buffer.concat(this.parts)));
        this.parts = [];
        this.got = 0;
        this.need = -1;
      }
    }
    return out;
  }

  /** True when the stream ended cleanly between records. */
  get idle(): boolean {
    return this.need < 0 && this.sizeDigits === 0;
  }

  /** Call at end of stream: throws if a record was cut off. */
  end(): void {
    if (this.failed) throw this.failed;
    if (!this.idle) this.fail('stream ended inside a record');
  }

  private fail(reason: string): never {
    this.failed = new RecordIOError(reason);
    throw this.failed;
  }
}
