/**
 * The embedded master's HTTP front (node:http, no framework) serving the Mesos master's
 * `/api/v1/scheduler` with its exact semantics (scheduler-endpoint.ts), 307 to the leader
 * (protocol-relative Location) or 503 without one; pipelined scheduler calls are served
 * by a fast path in front of node:http (http-pipelined.ts). Also `/master/state`,
 * `/master/tasks` (both also at `/state`, `/tasks`; a standby redirects them too),
 * the agents' `/files/read` (files.ts), `/metrics/snapshot` (counters) and, only when
 * enabled, the `/__faults/*` test hooks. Body limits and framework authentication: guard.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Faults } from './faults.js';
import { declaredTooLarge, DEFAULT_MAX_BODY, readBody, tooLarge, type FrameworkCredential } from './guard.js';
import type { Master } from './master.js';
import { filesRead } from './files.js';
import { pipelineFront } from './http-pipelined.js';
import { answerCall, checkHead, type SchedulerReply, type SchedulerRequest } from './scheduler-endpoint.js';
import { frameworksOf, slavesOf, stateOf, tasksOf } from './state.js';
import { EventStream, type StreamSink } from './stream.js';

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

/** Sends an endpoint's answer through node:http. */
function answer(res: ServerResponse, a: SchedulerReply): void {
  reply(res, a.status, a.message, a.headers);
}

/** The scheduler endpoint over node:http (the pipelined fast path takes most calls first). */
async function scheduler(master: Master, req: IncomingMessage, res: ServerResponse, guard: ServerGuard): Promise<void> {
  const request = req as SchedulerRequest;
  const enc = checkHead(request, guard.credentials);
  if (typeof enc !== 'string') return answer(res, enc);
  const max = guard.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const body = await readBody(req, max);
  if (!body) return tooLarge(res, max);
  const a = answerCall(master, request, body, enc);
  if (a.kind === 'reply') return answer(res, a);
  res.writeHead(200, { 'Content-Type': a.encoding, 'Mesos-Stream-Id': a.streamId, 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  req.socket.setNoDelay(true);
  const sink: StreamSink = { write: (d) => void res.write(d), end: () => void res.end(), destroy: () => void res.destroy(), onClose: (fn) => void res.once('close', fn) };
  master.subscribe(a.call, new EventStream(sink, a.encoding, a.streamId, master.opts.clock));
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
  // Pipelined scheduler calls are served by the fast path; node:http gets the rest.
  const closeFast = pipelineFront(server, { master, leads: () => leadership().kind === 'leader', maxBodyBytes: max, credentials: guard.credentials });
  const closeHttp = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    closeHttp();
    closeFast();
  };
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
