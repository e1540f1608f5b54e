/**
 * The embedded master's HTTP front (node:http, no framework) with the exact semantics of
 * the Mesos master's `/api/v1/scheduler` (Master::Http::scheduler, apache/mesos src/master/http.cpp):
 * 307 to the leader (protocol-relative Location) or 503 without one, 405 for non-POST,
 * 400 without Content-Type and 415 for any other than the two exact media types, 400 for
 * bodies that do not parse or validate, Accept negotiation for SUBSCRIBE (JSON first, else
 * protobuf, else 406), the Mesos-Stream-Id rules, 400/403 for unknown/disconnected
 * frameworks, 202 with an empty body, 501 for UNKNOWN. Also `/master/state`,
 * `/master/tasks` (both also at `/state`, `/tasks`; a standby redirects them too),
 * the agents' `/files/read` (files.ts), `/metrics/snapshot` (counters) and, only when
 * enabled, the `/__faults/*` test hooks. Body limits and framework authentication: guard.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { decodeCall, encodingOf, JSON_TYPE, MesosCodecError, PROTOBUF_TYPE, type Encoding } from '../codec.js';
import type { Call } from '../scheduler-types.js';
import { handleCall } from './calls.js';
import type { Faults } from './faults.js';
import { authenticated, declaredTooLarge, DEFAULT_MAX_BODY, readBody, tooLarge, unauthenticated, type FrameworkCredential } from './guard.js';
import type { Master } from './master.js';
import { filesRead } from './files.js';
import { frameworksOf, slavesOf, stateOf, tasksOf } from './state.js';
import { EventStream } from './stream.js';

/** Who leads: this master, another one (standby: redirect), or nobody (503). */
export type Leadership = { kind: 'leader' } | { kind: 'standby'; leader: string } | { kind: 'none' };

/** Endpoints of the master process, served at `/master<path>` and at `<path>`. */
const MASTER_PATHS = new Set(['/api/v1/scheduler', '/state', '/tasks', '/frameworks', '/slaves']);

function reply(res: ServerResponse, status: number, message = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...(message ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}), ...headers });
  res.end(message);
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Whether an Accept header admits a media type (no header accepts everything). */
export function acceptsMediaType(accept: string | undefined, type: string): boolean {
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

/** validation::scheduler::call::validate: presence rules beyond the schema. */
export function validateCall(call: Call): string | undefined {
  if (call.type === undefined) return "Expecting 'type' to be present";
  if (call.type === 'SUBSCRIBE') {
    if (!call.subscribe) return "Expecting 'subscribe' to be present";
    if ((call.subscribe.framework_info.id?.value ?? undefined) !== (call.framework_id?.value ?? undefined))
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    return undefined;
  }
  if (!call.framework_id) return "Expecting 'framework_id' to be present";
  const needs: Partial<Record<string, keyof Call>> = {
    ACCEPT: 'accept',
    DECLINE: 'decline',
    KILL: 'kill',
    SHUTDOWN: 'shutdown',
    ACKNOWLEDGE: 'acknowledge',
    RECONCILE: 'reconcile',
    MESSAGE: 'message',
    UPDATE_FRAMEWORK: 'update_framework',
  };
  const field = needs[call.type];
  if (field && !call[field]) return `Expecting '${field}' to be present`;
  if (call.type === 'ACKNOWLEDGE' && Buffer.from(call.acknowledge!.uuid, 'base64').length !== 16)
    return `Invalid UUID: expected 16 bytes, got ${Buffer.from(call.acknowledge!.uuid, 'base64').length}`;
  if (call.type === 'UPDATE_FRAMEWORK' && call.update_framework!.framework_info.id?.value !== call.framework_id.value)
    return "'framework_id' differs from 'update_framework.framework_info.id'";
  return undefined;
}

/** The scheduler endpoint proper. */
async function scheduler(master: Master, req: IncomingMessage, res: ServerResponse, guard: ServerGuard): Promise<void> {
  if (!authenticated(req, guard.credentials)) return unauthenticated(res);
  if (req.method !== 'POST') return reply(res, 405, `Expecting one of { 'POST' }, but received '${req.method}'`, { Allow: 'POST' });
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return reply(res, 400, "Expecting 'Content-Type' to be present");
  const enc = encodingOf(contentType);
  if (!enc) return reply(res, 415, `Expecting 'Content-Type' of ${JSON_TYPE} or ${PROTOBUF_TYPE}`);
  const max = guard.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const body = await readBody(req, max);
  if (!body) return tooLarge(res, max);
  let call: Call;
  try {
    call = decodeCall(body, enc);
  } catch (err) {
    if (!(err instanceof MesosCodecError)) throw err;
    const what = enc === PROTOBUF_TYPE ? 'Failed to parse body into Call protobuf' : 'Failed to convert JSON into Call protobuf';
    return reply(res, 400, `${what}: ${err.message}`);
  }
  const invalid = validateCall(call);
  if (invalid) return reply(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
  const streamIdHeader = req.headers['mesos-stream-id'];
  if (call.type === 'SUBSCRIBE') {
    const accept = req.headers.accept;
    const streamEnc: Encoding | undefined = acceptsMediaType(accept, JSON_TYPE) ? JSON_TYPE : acceptsMediaType(accept, PROTOBUF_TYPE) ? PROTOBUF_TYPE : undefined;
    if (!streamEnc) return reply(res, 406, `Expecting 'Accept' to allow '${PROTOBUF_TYPE}' or '${JSON_TYPE}'`);
    if (streamIdHeader !== undefined) return reply(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    const streamId = master.newStreamId();
    res.writeHead(200, { 'Content-Type': streamEnc, 'Mesos-Stream-Id': streamId, 'Cache-Control': 'no-cache' });
    res.flushHeaders();
    req.socket.setNoDelay(true);
    master.subscribe(call, new EventStream(res, streamEnc, streamId, master.opts.clock));
    return;
  }
  const fw = master.frameworks.get(call.framework_id!.value);
  if (!fw) return reply(res, 400, 'Framework cannot be found');
  if (!fw.stream || fw.stream.closed) return reply(res, 403, 'Framework is not subscribed');
  if (streamIdHeader === undefined) return reply(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamIdHeader !== fw.stream.streamId)
    return reply(res, 400, `The stream ID '${streamIdHeader}' included in this request didn't match the stream ID currently associated with framework ID ${fw.id}`);
  const result = handleCall(master, fw, call);
  reply(res, result.status, result.message ?? '');
}

/** What the server refuses or hides; see guard.ts. */
export interface ServerGuard {
  /** Serve `POST /__faults/<name>` (tests, `kairos embedded-master --fault-hooks`); default: not served. */
  faults?: Faults;
  /** Largest request body; default DEFAULT_MAX_BODY (4 MiB). */
  maxBodyBytes?: number;
  /** When given, scheduler calls must authenticate with one of these (HTTP Basic). */
  credentials?: readonly FrameworkCredential[];
}

/** Builds (does not start) the HTTP server of an embedded master. */
export function buildServer(master: Master, leadership: () => Leadership, guard: ServerGuard = {}): Server {
  const max = guard.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const server = createServer((req, res) => handle(req, res));
  // Expect: 100-continue: the size is checked before the client is asked for the body.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredTooLarge(req, max)) return tooLarge(res, max);
    res.writeContinue();
    handle(req, res);
  });
  return server;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (declaredTooLarge(req, max)) return tooLarge(res, max);
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const route = async () => {
      // libprocess hands paths the master process does not own to it with its name
      // prefixed (apache/mesos 3rdparty/libprocess/src/process.cpp, delegate), so `/api/v1/scheduler` is `/master/api/v1/
      // scheduler`, the path a standby's redirect names (Master::Http::redirect).
      const path = MASTER_PATHS.has(pathname) ? `/master${pathname}` : pathname;
      if (MASTER_PATHS.has(path.slice('/master'.length))) {
        const lead = leadership();
        if (lead.kind === 'standby') return reply(res, 307, '', { Location: `//${lead.leader}${path}${q < 0 ? '' : raw.slice(q)}` });
        if (lead.kind === 'none') return reply(res, 503, 'No leader elected');
      }
      if (path === '/master/api/v1/scheduler') return scheduler(master, req, res, guard);
      const url = new URL(raw, 'http://localhost');
      if (path === '/master/state') return json(res, stateOf(master));
      if (path === '/master/tasks') return json(res, tasksOf(master, url.searchParams));
      if (path === '/master/frameworks') return json(res, frameworksOf(master, url.searchParams));
      if (path === '/master/slaves') return json(res, slavesOf(master, url.searchParams));
      if (url.pathname === '/files/read') {
        const got = filesRead(master, url.searchParams);
        return got.status === 200 ? json(res, got.body) : reply(res, got.status, got.message);
      }
      if (url.pathname === '/metrics/snapshot') {
        const c = master.counters;
        return json(res, { 'master/messages_decline_offers': c.declineCalls, 'master/offers_declined': c.offersDeclined, 'master/offers_rescinded_timeout': c.offersTimedOut });
      }
      const faults = guard.faults;
      if (faults && url.pathname.startsWith('/__faults/') && req.method === 'POST') {
        const ok = faults.byName(url.pathname.slice('/__faults/'.length), Object.fromEntries(url.searchParams));
        return ok ? reply(res, 204) : reply(res, 404, 'Unknown fault');
      }
      reply(res, 404);
    };
    route().catch((err: unknown) => {
      master.opts.logger.error('embedded master request failed', { path: pathname, error: String(err) });
      if (!res.headersSent) reply(res, 500, 'Internal error');
      else res.destroy();
    });
  }
}
