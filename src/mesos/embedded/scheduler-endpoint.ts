/**
 * What the embedded master's `/api/v1/scheduler` answers, apart from how the bytes travel
 * (Master::Http::scheduler, apache/mesos src/master/http.cpp): 405 for non-POST, 400
 * without Content-Type and 415 for any other than the two exact media types, 400 for
 * bodies that do not parse or validate, Accept negotiation for SUBSCRIBE (JSON first, else
 * protobuf, else 406), the Mesos-Stream-Id rules, 400/403 for unknown/disconnected
 * frameworks, 202 with an empty body, 501 for UNKNOWN; 401 without valid credentials when
 * they are configured (guard.ts). Two transports use it: node:http (http.ts) and the
 * pipelined fast path (http-pipelined.ts), so both answer alike by construction.
 */
import { decodeCall, encodingOf, JSON_TYPE, MesosCodecError, PROTOBUF_TYPE, type Encoding } from '../codec.js';
import type { Call } from '../scheduler-types.js';
import { handleCall } from './calls.js';
import { authenticated, type FrameworkCredential } from './guard.js';
import type { Master } from './master.js';

/** The request facts the endpoint reads; header names in lower case, as node:http gives them. */
export interface SchedulerRequest {
  method: string | undefined;
  headers: { authorization?: string; 'content-type'?: string; accept?: string; 'mesos-stream-id'?: string };
}

/** A plain answer: status, text body (text/plain when not empty) and extra headers. */
export interface SchedulerReply {
  kind: 'reply';
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** A valid SUBSCRIBE: the transport opens the stream (200, chunked) and hands it to `master.subscribe`. */
export interface SchedulerSubscribe {
  kind: 'subscribe';
  call: Call;
  encoding: Encoding;
  streamId: string;
}

/** What a scheduler call gets. */
export type SchedulerAnswer = SchedulerReply | SchedulerSubscribe;

const reply = (status: number, message = '', headers?: Record<string, string>): SchedulerReply => ({ kind: 'reply', status, message, headers });
const ACCEPTED: SchedulerReply = reply(202);

/** Whether an Accept header admits a media type (no header accepts everything). */
function acceptsMediaType(accept: string | undefined, type: string): boolean {
  if (accept === undefined) return true;
  const [major] = type.split('/');
  let best: { rank: number; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const rank = range === type ? 3 : range === `${major}/*` ? 2 : range === '*/*' ? 1 : 0;
    if (rank === 0) continue;
    const qp = params.find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!best || rank > best.rank) best = { rank, q: Number.isNaN(q) ? 0 : q };
  }
  return best !== undefined && best.q > 0;
}

/** Calls whose payload field must be present (validation::scheduler::call::validate). */
const NEEDS: Partial<Record<string, keyof Call>> = {
  ACCEPT: 'accept',
  DECLINE: 'decline',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  RECONCILE: 'reconcile',
  MESSAGE: 'message',
  UPDATE_FRAMEWORK: 'update_framework',
};

/** Canonical base64 of exactly 16 bytes (what every uuid looks like), checked without decoding it. */
const UUID_BASE64 = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** validation::scheduler::call::validate: presence rules beyond the schema. */
function validateCall(call: Call): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    if ((call.subscribe.framework_info.id?.value ?? undefined) !== (call.framework_id?.value ?? undefined))
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const field = NEEDS[call.type];
  if (field && !call[field]) return `Expecting '${field}' to be present`;
  if (call.type === 'ACKNOWLEDGE' && !UUID_BASE64.test(call.acknowledge!.uuid)) {
    const bytes = Buffer.from(call.acknowledge!.uuid, 'base64').length;
    if (bytes !== 16) return `Invalid UUID: expected 16 bytes, got ${bytes}`;
  }
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework!.framework_info.id?.value !== call.framework_id.value)
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  return undefined;
}

/**
 * The checks made before the body is read: credentials, method, Content-Type. Returns
 * the body's encoding when they pass, else the answer.
 */
export function checkHead(req: SchedulerRequest, credentials: readonly FrameworkCredential[] | undefined): Encoding | SchedulerReply {
  if (!authenticated(req.headers.authorization, credentials))
    return reply(401, 'Framework authentication failed: valid credentials are required', { 'WWW-Authenticate': 'Basic realm="mesos"' });
  if (req.method !== 'POST') return reply(405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: 'POST' });
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return reply(400, "Expecting 'Content-Type' to be present");
  return encodingOf(contentType) ?? reply(415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
}

/** Decodes, validates and carries out one call whose head passed `checkHead`. */
export function answerCall(master: Master, req: SchedulerRequest, body: Uint8Array, enc: Encoding): SchedulerAnswer {
  let call: Call;
  try {
    call = decodeCall(body, enc);
  } catch (err) {
    if (!(err instanceof MesosCodecError)) throw err;
    const what = enc === PROTOBUF_TYPE ? 'Failed to parse body into Call protobuf' : 'Failed to convert JSON into Call protobuf';
    return reply(400, `${what}: ${err.message}`);
  }
  const invalid = validateCall(call);
  if (invalid) return reply(400, `Failed to validate scheduler::Call: ${invalid}`);
  const streamIdHeader = req.headers['mesos-stream-id'];
  if (call.type === 'SUBSCRIBE') {
    const accept = req.headers.accept;
    const encoding = acceptsMediaType(accept, JSON_TYPE) ? JSON_TYPE : acceptsMediaType(accept, PROTOBUF_TYPE) ? PROTOBUF_TYPE : undefined;
    if (!encoding) return reply(406, `Expecting 'Accept' to allow '${PROTOBUF_TYPE}' or '${JSON_TYPE}'`);
    if (streamIdHeader !== undefined) return reply(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    return { kind: 'subscribe', call, encoding, streamId: master.newStreamId() };
  }
  const fw = master.frameworks.get(call.framework_id!.value);
  if (!fw) return reply(400, 'Framework cannot be found');
  if (!fw.stream || fw.stream.closed) return reply(403, 'Framework is not subscribed');
  if (streamIdHeader === undefined) return reply(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamIdHeader !== fw.stream.streamId)
    return reply(400, `The stream ID '${streamIdHeader}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
  const result = handleCall(master, fw, call);
  return result.status === 202 && !result.message ? ACCEPTED : reply(result.status, result.message ?? '');
}
