/**
 * HTTP/1.1 request pipelining (RFC 9112 §9.3.2) for the scheduler calls that are not
 * SUBSCRIBE. Every status update with a uuid needs its own ACKNOWLEDGE POST, so at
 * thousands of tasks per second the per-request cost of a general HTTP client (and one
 * syscall per request) is what limits launches. Here the requests made in one tick are
 * written to a kept-alive socket in a single write, and the answers (always in request
 * order) are parsed as they come. Both libprocess (HttpProxy answers in order) and
 * node:http servers accept pipelined requests. Edge adapter: it owns sockets, so the
 * socket timeout lives here.
 */
import net from 'node:net';
import { KairosError } from '../core/errors.js';

/** One answer: status code and body text. */
export interface PipelinedResponse {
  status: number;
  body: string;
}

interface Pending {
  /** Request line and headers, ASCII, ending with the blank line. */
  head: string;
  body: Uint8Array;
  resolve: (r: PipelinedResponse) => void;
  reject: (e: Error) => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const STATUS_PREFIX = Buffer.from('HTTP/1.');

/** One kept-alive connection with a FIFO of requests in flight. */
class Connection {
  private readonly socket: net.Socket;
  /** Waiting to be written: `queued[head..]` (a head index, since shift() is O(n) on long arrays). */
  private queued: Pending[] = [];
  private head = 0;
  private readonly inflight: Pending[] = [];
  private buf: Buffer = Buffer.alloc(0);
  /** Where the unparsed bytes of `buf` start (no new view per response). */
  private at = 0;
  private flushScheduled = false;
  closed = false;

  constructor(
    host: string,
    port: number,
    private readonly maxInFlight: number,
    timeoutMs: number,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.setTimeout(timeoutMs, () => this.fail(new KairosError('E_UNAVAILABLE', `${host}:${port}: no answer in ${timeoutMs} ms`)));
    this.socket.on('data', (c: Buffer) => this.onData(c));
    this.socket.on('error', (e) => this.fail(new KairosError('E_UNAVAILABLE', `${host}:${port}: ${e.message}`, { cause: e })));
    this.socket.on('close', () => this.fail(new KairosError('E_UNAVAILABLE', `${host}:${port}: connection closed`)));
  }

  get load(): number {
    return this.queued.length - this.head + this.inflight.length;
  }

  send(p: Pending): void {
    this.queued.push(p);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.closed || this.head === this.queued.length) return;
    const start = this.head;
    let bytes = 0;
    while (this.head < this.queued.length && this.inflight.length < this.maxInFlight) {
      const p = this.queued[this.head++];
      this.inflight.push(p);
      bytes += p.head.length + p.body.byteLength;
    }
    // The whole batch in one buffer and one write: no per-request Buffer or concat.
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (let i = start; i < this.head; i++) {
      const p = this.queued[i];
      at += out.write(p.head, at, 'latin1');
      out.set(p.body, at);
      at += p.body.byteLength;
    }
    if (this.head === this.queued.length) {
      this.queued = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head > this.queued.length / 2) {
      this.queued = this.queued.slice(this.head);
      this.head = 0;
    }
    if (bytes > 0) this.socket.write(out);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.at === this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.at), chunk]);
    this.at = 0;
    for (;;) {
      const r = parseResponse(this.buf, this.at);
      if (r === 'incomplete') break;
      if (r === 'invalid') return this.fail(new KairosError('E_MESOS', 'malformed HTTP response from the master'));
      this.at += r.consumed;
      const p = this.inflight.shift();
      if (!p) return this.fail(new KairosError('E_MESOS', 'HTTP response without a request'));
      p.resolve(r.response);
      if (r.close) return this.fail(new KairosError('E_UNAVAILABLE', 'the master closed the connection'));
    }
    this.flush();
  }

  /** Fails every request still waiting and closes the socket for good. */
  fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    const waiting = this.queued.slice(this.head);
    this.queued = [];
    this.head = 0;
    for (const p of [...this.inflight.splice(0), ...waiting]) p.reject(err);
  }
}

/** Whether bytes [from, to) of `buf` are `lower`, ASCII case-insensitively (a header name). */
function nameIs(buf: Buffer, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((buf[from + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Bytes [from, to) of `buf` as latin1 text without surrounding spaces and tabs. */
function valueText(buf: Buffer, from: number, to: number): string {
  return buf.toString('latin1', from, to).trim();
}

/**
 * Parses one response at `start` of `buf` (Content-Length or chunked bodies); `consumed`
 * counts from `start`. Runs once per call answered (two per task are ACKNOWLEDGEs), so it
 * reads the head as bytes in place: no head text, no regular expression.
 */
export function parseResponse(buf: Buffer, start = 0): 'incomplete' | 'invalid' | { response: PipelinedResponse; consumed: number; close: boolean } {
  const end = buf.indexOf(CRLF2, start);
  if (end < 0) return buf.length - start > 64 * 1024 ? 'invalid' : 'incomplete';
  // "HTTP/1.x NNN" (RFC 9112 §4).
  if (end - start < 12 || !STATUS_PREFIX.equals(buf.subarray(start, start + 7)) || (buf[start + 7] !== 0x30 && buf[start + 7] !== 0x31) || buf[start + 8] !== 0x20) return 'invalid';
  let status = 0;
  for (let i = start + 9; i < start + 12; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return 'invalid';
    status = status * 10 + d;
  }
  if (end - start > 12 && buf[start + 12] !== 0x20 && buf[start + 12] !== 0x0d) return 'invalid';
  let length = -1;
  let chunked = false;
  let close = false;
  for (let line = buf.indexOf(0x0a, start) + 1; line > 0 && line < end; ) {
    let lineEnd = buf.indexOf(0x0a, line);
    if (lineEnd < 0 || lineEnd > end + 1) lineEnd = end + 1;
    const textEnd = buf[lineEnd - 1] === 0x0d ? lineEnd - 1 : lineEnd;
    const colon = buf.indexOf(0x3a, line);
    if (colon > line && colon < textEnd) {
      let nameEnd = colon;
      while (nameEnd > line && (buf[nameEnd - 1] === 0x20 || buf[nameEnd - 1] === 0x09)) nameEnd--;
      if (nameIs(buf, line, nameEnd, 'content-length')) length = Number(valueText(buf, colon + 1, textEnd));
      else if (nameIs(buf, line, nameEnd, 'transfer-encoding')) chunked = valueText(buf, colon + 1, textEnd).toLowerCase().includes('chunked');
      else if (nameIs(buf, line, nameEnd, 'connection')) close = valueText(buf, colon + 1, textEnd).toLowerCase() === 'close';
    }
    line = lineEnd + 1;
  }
  let pos = end + 4;
  if (chunked) {
    const parts: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd < 0) return 'incomplete';
      const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
      if (Number.isNaN(size)) return 'invalid';
      pos = lineEnd + 2;
      if (size === 0) {
        const trailerEnd = buf.indexOf('\r\n', pos);
        if (trailerEnd < 0) return 'incomplete';
        pos = trailerEnd + 2;
        break;
      }
      if (buf.length < pos + size + 2) return 'incomplete';
      parts.push(buf.subarray(pos, pos + size));
      pos += size + 2;
    }
    return { response: { status, body: Buffer.concat(parts).toString('utf8') }, consumed: pos - start, close };
  }
  const n = Number.isFinite(length) ? Math.max(0, length) : 0;
  if (buf.length < pos + n) return 'incomplete';
  return { response: { status, body: n === 0 ? '' : buf.toString('utf8', pos, pos + n) }, consumed: pos + n - start, close };
}

/** A few pipelined connections to one master; requests go to the least loaded. */
export class PipelinedPool {
  private readonly conns: Connection[] = [];
  private readonly host: string;
  private readonly port: number;

  constructor(
    origin: string,
    private readonly opts: { connections: number; maxInFlight: number; timeoutMs: number },
  ) {
    const u = new URL(origin);
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(u.port || 80);
  }

  /**
   * The request head before Content-Length, for the last path and headers object seen, and
   * whole heads by body length (an ACKNOWLEDGE's length hardly varies: one string, not one per call).
   */
  private prefix = { path: '', headers: undefined as Record<string, string> | undefined, text: '', heads: new Map<number, string>() };

  /**
   * POSTs `body` to `path` with `headers`; resolves with the answer, whatever its status.
   * Callers that pass the same `headers` object each time get its head text built once.
   */
  post(path: string, headers: Record<string, string>, body: Uint8Array): Promise<PipelinedResponse> {
    if (this.prefix.headers !== headers || this.prefix.path !== path) {
      let text = `POST ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
      for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
      this.prefix = { path, headers, text, heads: new Map() };
    }
    const heads = this.prefix.heads;
    let head = heads.get(body.byteLength);
    if (head === undefined) {
      head = `${this.prefix.text}Content-Length: ${body.byteLength}\r\n\r\n`;
      if (heads.size < 256) heads.set(body.byteLength, head);
    }
    return new Promise((resolve, reject) => this.pick().send({ head, body, resolve, reject }));
  }

  private pick(): Connection {
    for (let i = this.conns.length - 1; i >= 0; i--) if (this.conns[i].closed) this.conns.splice(i, 1);
    if (this.conns.length < this.opts.connections) {
      const c = new Connection(this.host, this.port, this.opts.maxInFlight, this.opts.timeoutMs);
      this.conns.push(c);
      return c;
    }
    let best = this.conns[0];
    for (const c of this.conns) if (c.load < best.load) best = c;
    return best;
  }

  close(): void {
    for (const c of this.conns.splice(0)) c.fail(new KairosError('E_UNAVAILABLE', 'client closed'));
  }
}
