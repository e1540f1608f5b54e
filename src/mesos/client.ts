/**
 * The HTTP side of the Mesos v1 Scheduler API (mesos.apache.org/documentation/latest/scheduler-http-api/): one
 * long-lived SUBSCRIBE stream per subscription (its own connection, RecordIO-framed
 * events parsed as bytes), and every other call as a POST carrying `Mesos-Stream-Id`
 * pipelined over a few kept-alive connections (pipeline.ts). A 307 from a non-leading master is followed by resolving its
 * protocol-relative `Location` (`//host:port/api/v1/scheduler`, apache/mesos src/master/http.cpp
 * `redirect`) against the current URL, at most `maxRedirects` hops and never to itself.
 * This is an edge adapter: it owns sockets, so socket timeouts live here.
 */
import http from 'node:http';
import { KairosError } from '../core/errors.js';
import { decodeEvent, encodeCall, type Encoding } from './codec.js';
import { PipelinedPool } from './pipeline.js';
import { RecordIODecoder } from './recordio.js';
import type { Call, Event } from './scheduler-types.js';

/** The scheduler endpoint path on every master. */
export const SCHEDULER_PATH = '/api/v1/scheduler';

/** A call the master answered with an unexpected HTTP status. */
export class MesosHttpError extends KairosError {
  constructor(
    readonly status: number,
    readonly body: string,
    url: string,
  ) {
    super(status === 503 || status === 0 ? 'E_UNAVAILABLE' : 'E_MESOS', `${url}: HTTP ${status || 'connection failed'}${body ? `: ${body.trim()}` : ''}`);
    this.name = 'MesosHttpError';
  }
}

/** Client settings (normalised by the framework's config). */
export interface ClientOptions {
  encoding: Encoding;
  /** 307 hops followed before giving up (USI uses 3). */
  maxRedirects: number;
  /** Socket idle timeout for calls other than SUBSCRIBE (the C++ library uses ~75 s). */
  requestTimeoutMs: number;
  /** Pipelined connections per master for calls, and again for ACKNOWLEDGEs. */
  connections: number;
  /** Requests in flight per connection. */
  maxInFlight: number;
  /** `Authorization` header of every scheduler call, for a master that authenticates frameworks. */
  authorization?: string;
}

/** Defaults: protobuf, 3 redirects, 75 s call timeout, 2 connections × 256 in flight. */
export const DEFAULT_CLIENT_OPTIONS: ClientOptions = { encoding: 'application/x-protobuf', maxRedirects: 3, requestTimeoutMs: 75_000, connections: 2, maxInFlight: 256 };

/** An open subscription stream. */
export interface Subscription {
  /** The URL that finally answered 200 (after redirects): calls go there. */
  url: string;
  streamId: string;
  /** Closes the stream; `onClose` is called once. */
  close(): void;
}

/** Callbacks for a subscription's events and its end. */
export interface StreamHandlers {
  onEvent(event: Event): void;
  /** The stream ended: closed by us, by the master, or broken (`err`). Called once. */
  onClose(err?: Error): void;
}

/** The scheduler API client. One instance per framework; `close()` frees its sockets. */
export class SchedulerClient {
  /** Pipelined connections per master origin; ACKNOWLEDGEs apart so ACCEPTs never queue behind them. */
  private readonly pools = new Map<string, PipelinedPool>();
  readonly opts: ClientOptions;

  constructor(opts: Partial<ClientOptions> = {}) {
    this.opts = { ...DEFAULT_CLIENT_OPTIONS, ...opts };
  }

  /**
   * The last subscription, parsed: every call goes there, so its URL is parsed and its
   * headers built once per subscription, not per call (the pools build the head text of
   * one headers object once, pipeline.ts).
   */
  private target = { url: '', streamId: '', path: '', callKey: '', ackKey: '', headers: {} as Record<string, string> };

  private targetOf(sub: Pick<Subscription, 'url' | 'streamId'>): typeof this.target {
    const { url, streamId } = sub;
    if (this.target.url !== url || this.target.streamId !== streamId) {
      const u = new URL(url);
      const headers = { 'Content-Type': this.opts.encoding, 'Mesos-Stream-Id': streamId, ...this.auth() };
      this.target = { url, streamId, path: u.pathname, callKey: `call ${u.origin}`, ackKey: `ack ${u.origin}`, headers };
    }
    return this.target;
  }

  private pool(url: string, key: string): PipelinedPool {
    let p = this.pools.get(key);
    if (!p) this.pools.set(key, (p = new PipelinedPool(url, { connections: this.opts.connections, maxInFlight: this.opts.maxInFlight, timeoutMs: this.opts.requestTimeoutMs })));
    return p;
  }

  /**
   * Sends SUBSCRIBE to `baseUrl` (following redirects) and streams events to `handlers`.
   * `signal` abandons a SUBSCRIBE the master has not answered yet (the request carries no
   * timeout, since the stream it opens is long-lived): it rejects and frees the socket.
   */
  async subscribe(baseUrl: string, call: Call, handlers: StreamHandlers, signal?: AbortSignal): Promise<Subscription> {
    const body = encodeCall(call, this.opts.encoding);
    let url = new URL(SCHEDULER_PATH, baseUrl).href;
    for (let hop = 0; ; hop++) {
      const res = await this.send(url, body, { Accept: this.opts.encoding }, signal);
      if (res.statusCode === 307 && hop < this.opts.maxRedirects) {
        url = redirectTarget(url, res, SCHEDULER_PATH);
        continue;
      }
      if (res.statusCode !== 200) throw new MesosHttpError(res.statusCode ?? 0, await readBody(res), url);
      const streamId = String(res.headers['mesos-stream-id'] ?? '');
      const enc = (String(res.headers['content-type'] ?? this.opts.encoding).split(';')[0].trim() as Encoding) || this.opts.encoding;
      return { url, streamId, close: this.pump(res, enc, handlers) };
    }
  }

  /** POSTs a non-SUBSCRIBE call on the subscription; resolves on 202 (or 200). */
  call(sub: Pick<Subscription, 'url' | 'streamId'>, call: Call): Promise<void> {
    let body: Uint8Array;
    try {
      body = encodeCall(call, this.opts.encoding);
    } catch (err) {
      return Promise.reject(err);
    }
    const t = this.targetOf(sub);
    // Not async: one promise per call (two per task are ACKNOWLEDGEs), settled by the answer.
    return this.pool(sub.url, call.type === 'ACKNOWLEDGE' ? t.ackKey : t.callKey)
      .post(t.path, t.headers, body)
      .then((res) => {
        if (res.status !== 202 && res.status !== 200) throw new MesosHttpError(res.status, res.body.slice(0, 1000), sub.url);
      });
  }

  /** GETs a JSON read endpoint of a master or agent (getJson below), with this client's limits. */
  getJson(url: string): Promise<unknown> {
    return getJson(url, { maxRedirects: this.opts.maxRedirects, timeoutMs: this.opts.requestTimeoutMs });
  }

  /** Closes every connection. */
  close(): void {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
  }

  /** POSTs SUBSCRIBE on a connection of its own (the stream keeps it). */
  private send(url: string, body: Uint8Array, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
    return request('POST', url, body, { 'Content-Type': this.opts.encoding, ...this.auth(), ...headers }, undefined, signal);
  }

  private auth(): Record<string, string> {
    return this.opts.authorization ? { Authorization: this.opts.authorization } : {};
  }

  /** Feeds the response body through RecordIO and the codec; returns a closer. */
  private pump(res: http.IncomingMessage, enc: Encoding, h: StreamHandlers): () => void {
    // Views, not copies: each record is decoded at once, below, before the next chunk.
    const decoder = new RecordIODecoder({ views: true });
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      res.destroy();
      h.onClose(err);
    };
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        for (const rec of decoder.push(chunk)) {
          h.onEvent(decodeEvent(rec, enc));
          if (done) return;
        }
      } catch (err) {
        finish(err as Error);
      }
    });
    res.on('end', () => finish(decoder.idle ? undefined : new KairosError('E_MESOS', 'stream ended inside a record')));
    res.on('error', (err) => finish(err));
    res.on('close', () => finish());
    return () => finish();
  }
}

function readBody(res: http.IncomingMessage, max = 1000): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () => resolve(Buffer.concat(parts).toString('utf8').slice(0, max)));
    res.on('error', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

/**
 * Where a 307 leads: its Location (protocol-relative from a Mesos master) resolved
 * against `url`; a bare host gets `path`. A redirect to itself is an error.
 */
function redirectTarget(url: string, res: http.IncomingMessage, path: string): string {
  res.resume();
  const loc = res.headers.location;
  if (!loc) throw new MesosHttpError(307, 'redirect without Location', url);
  const next = new URL(loc, url);
  if (next.pathname === '/' || next.pathname === '') next.pathname = path;
  if (next.href === url) throw new MesosHttpError(307, `redirect to itself (${loc})`, url);
  return next.href;
}

/**
 * One request on a connection of its own; with `timeoutMs`, an idle socket fails it; an
 * aborted `signal` destroys it (and, once answered, its response).
 */
function request(method: 'GET' | 'POST', url: string, body: Uint8Array | undefined, headers: Record<string, string>, timeoutMs: number | undefined, signal?: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, ...(signal ? { signal } : {}), headers: { ...(body ? { 'Content-Length': body.byteLength } : {}), ...headers } });
    if (timeoutMs !== undefined) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('response', resolve);
    req.on('error', (err) => reject(new KairosError('E_UNAVAILABLE', `${url}: ${err.message}`, { cause: err })));
    req.end(body);
  });
}

/**
 * GETs a JSON read endpoint of a Mesos master or agent (`/master/tasks`, `/files/read`),
 * following 307s to the leading master like SUBSCRIBE does; rejects with MesosHttpError
 * on any other status than 200 and E_MESOS on a body that is not JSON.
 */
export async function getJson(url: string, opts: { maxRedirects: number; timeoutMs: number }): Promise<unknown> {
  for (let hop = 0; ; hop++) {
    const res = await request('GET', url, undefined, { Accept: 'application/json' }, opts.timeoutMs);
    if (res.statusCode === 307 && hop < opts.maxRedirects) {
      url = redirectTarget(url, res, new URL(url).pathname);
      continue;
    }
    const body = await readBody(res, Infinity);
    if (res.statusCode !== 200) throw new MesosHttpError(res.statusCode ?? 0, body.slice(0, 1000), url);
    try {
      return JSON.parse(body);
    } catch (err) {
      throw new KairosError('E_MESOS', `${url}: answer is not JSON`, { cause: err });
    }
  }
}
