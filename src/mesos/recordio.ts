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
  const head = Buffer.from(`${data.byteLength}\n`, 'ascii');
  const out = new Uint8Array(head.byteLength + data.byteLength);
  out.set(head, 0);
  out.set(data, head.byteLength);
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
 * Incremental decoder: `push(chunk)` returns every record completed by that chunk.
 * Rejects a size that is not 1-20 decimal digits, a zero size, and records larger than
 * `maxRecordBytes`; after an error the decoder stays failed.
 */
export class RecordIODecoder {
  private readonly max: number;
  private head: number[] = [];
  private need = -1; // -1: reading the size line
  private parts: Uint8Array[] = [];
  private got = 0;
  private failed: RecordIOError | undefined;

  constructor(opts: { maxRecordBytes?: number } = {}) {
    this.max = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.byteLength) {
      if (this.need < 0) {
        const b = chunk[i++];
        if (b !== LF) {
          if (b < 0x30 || b > 0x39 || this.head.length >= 20) this.fail(`malformed record size ${JSON.stringify(String.fromCharCode(...this.head, b))}`);
          this.head.push(b);
          continue;
        }
        if (this.head.length === 0) this.fail('empty record size');
        const size = Number(String.fromCharCode(...this.head));
        this.head = [];
        if (size === 0) this.fail('record size 0');
        if (size > this.max) this.fail(`record of ${size} bytes exceeds the limit of ${this.max}`);
        this.need = size;
        continue;
      }
      const take = Math.min(this.need - this.got, chunk.byteLength - i);
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
    return this.need < 0 && this.head.length === 0;
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
