import { describe, expect, it } from 'vitest';
import { encodeRecord, RecordIODecoder, RecordIOError } from '../../../src/mesos/recordio.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('RecordIO', () => {
  it('frames with the byte length, not the character length', () => {
    expect(text(encodeRecord(Buffer.from('{"type":"HEARTBEAT"}')))).toBe('20\n{"type":"HEARTBEAT"}');
    expect(text(encodeRecord(Buffer.from('é')))).toBe('2\né');
  });

  it('decodes any split of the stream, one byte at a time included', () => {
    const records = ['{"type":"SUBSCRIBED"}', 'ünïcødé ✓', 'x'.repeat(1000)].map((s) => Buffer.from(s));
    const stream = Buffer.concat(records.map(encodeRecord));
    for (const step of [1, 2, 3, 7, 64, stream.length]) {
      const d = new RecordIODecoder();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...d.push(stream.subarray(i, i + step)).map(text));
      expect(out).toEqual(records.map(text));
      expect(d.idle).toBe(true);
      d.end();
    }
  });

  it('returns records that do not alias the input chunk', () => {
    const chunk = Buffer.from('3\nabc');
    const [rec] = new RecordIODecoder().push(chunk);
    chunk.fill(0);
    expect(text(rec)).toBe('abc');
  });

  it('with views, returns a record lying whole in a chunk as a view of it, and copies only records split across chunks', () => {
    const d = new RecordIODecoder({ views: true });
    const chunk = Buffer.from('3\nabc2\nde');
    const recs = d.push(chunk);
    expect(recs.map(text)).toEqual(['abc', 'de']);
    expect(recs[0].buffer).toBe(chunk.buffer);
    const [split] = [...d.push(Buffer.from('4\nfg')), ...d.push(Buffer.from('hi'))];
    expect(text(split)).toBe('fghi');
  });

  it('rejects malformed sizes, zero sizes, oversized records and truncation', () => {
    expect(() => new RecordIODecoder().push(Buffer.from('1a\nx'))).toThrow(/malformed record size/);
    expect(() => new RecordIODecoder().push(Buffer.from('\nx'))).toThrow(/empty record size/);
    expect(() => new RecordIODecoder().push(Buffer.from('0\n'))).toThrow(/size 0/);
    expect(() => new RecordIODecoder().push(Buffer.from('-1\n'))).toThrow(RecordIOError);
    expect(() => new RecordIODecoder().push(Buffer.from('9'.repeat(21)))).toThrow(/malformed/);
    expect(() => new RecordIODecoder({ maxRecordBytes: 10 }).push(Buffer.from('11\n'))).toThrow(/exceeds the limit of 10/);
    const d = new RecordIODecoder();
    d.push(Buffer.from('5\nab'));
    expect(d.idle).toBe(false);
    expect(() => d.end()).toThrow(/ended inside a record/);
  });

  it('stays failed after an error', () => {
    const d = new RecordIODecoder();
    expect(() => d.push(Buffer.from('x'))).toThrow(RecordIOError);
    expect(() => d.push(Buffer.from('1\na'))).toThrow(RecordIOError);
  });
});
