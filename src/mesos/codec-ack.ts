/**
 * The ACKNOWLEDGE call as protobuf bytes without protobufjs: every task costs two, written
 * by the framework and read by the embedded master. Only the exact shape is taken (a
 * FrameworkID, and agent_id, task_id and uuid); anything else is left (undefined) to the
 * general codec (codec.ts). Bytes and objects are the general codec's, field for field
 * (test/unit/mesos/codec-fast.test.ts).
 */
import { asBuffer, BASE64, idFieldSize, idValue, keyCount, Reader, readId, varintSize, writeId, writeVarint } from './codec-wire.js';
import type { Call } from './scheduler-types.js';

/**
 * An ACKNOWLEDGE call as protobuf bytes (Call: framework_id = 1, type = 2, acknowledge =
 * 8 {agent_id = 1, task_id = 2, uuid = 3}), or undefined for any other call or shape.
 */
export function encodeAcknowledge(call: Call): Uint8Array | undefined {
  if (call.type !== 'ACKNOWLEDGE' || !call.acknowledge || keyCount(call, 3) !== 3) return undefined;
  const a = call.acknowledge;
  const fw = idValue(call.framework_id);
  const agent = idValue(a.agent_id);
  const task = idValue(a.task_id);
  if (fw === undefined || agent === undefined || task === undefined || keyCount(a, 3) !== 3) return undefined;
  if (typeof a.uuid !== 'string' || !BASE64.test(a.uuid)) return undefined;
  const uuidLen = Buffer.byteLength(a.uuid, 'base64');
  const ackLen = idFieldSize(agent) + idFieldSize(task) + 1 + varintSize(uuidLen) + uuidLen;
  const out = Buffer.allocUnsafe(idFieldSize(fw) + 2 + 1 + varintSize(ackLen) + ackLen);
  let at = writeId(out, 0, 0x0a, fw);
  out[at++] = 0x10; // type
  out[at++] = 8; // ACKNOWLEDGE
  out[at++] = 0x42; // acknowledge
  at = writeVarint(out, at, ackLen);
  at = writeId(out, at, 0x0a, agent);
  at = writeId(out, at, 0x12, task);
  out[at++] = 0x1a;
  at = writeVarint(out, at, uuidLen);
  out.write(a.uuid, at, 'base64');
  return out;
}

/**
 * Decodes protobuf bytes that are an ACKNOWLEDGE call (the shape `encodeAcknowledge`
 * writes, fields in any order); undefined for any other call or field.
 */
export function decodeAcknowledge(body: Uint8Array): Call | undefined {
  const buf = asBuffer(body);
  const r = new Reader(buf, 0, buf.length);
  let type: number | undefined;
  let fw: { value: string } | undefined;
  let ack: Record<string, unknown> | undefined;
  while (r.at < buf.length) {
    const tag = r.varint();
    if (tag === 0x10 && type === undefined) type = r.varint();
    else if (tag === 0x0a && !fw) {
      const s = r.span();
      fw = s && readId(buf, s);
      if (!fw) return undefined;
    } else if (tag === 0x42 && !ack) {
      const s = r.span();
      ack = s && readAck(buf, s[0], s[1]);
      if (!ack) return undefined;
    } else return undefined;
  }
  return type === 8 && fw && ack ? ({ type: 'ACKNOWLEDGE', framework_id: fw, acknowledge: ack } as unknown as Call) : undefined;
}

/** Call.Acknowledge {agent_id = 1, task_id = 2, uuid = 3}, all required. */
function readAck(buf: Buffer, start: number, end: number): Record<string, unknown> | undefined {
  const r = new Reader(buf, start, end);
  const o: Record<string, unknown> = {};
  while (r.at < end) {
    const tag = r.varint();
    const name = tag === 0x0a ? 'agent_id' : tag === 0x12 ? 'task_id' : tag === 0x1a ? 'uuid' : undefined;
    const s = r.span();
    if (!name || !s || name in o) return undefined;
    const v = name === 'uuid' ? buf.toString('base64', s[0], s[1]) : readId(buf, s);
    if (v === undefined) return undefined;
    o[name] = v;
  }
  return o.agent_id && o.task_id && o.uuid !== undefined ? o : undefined;
}
