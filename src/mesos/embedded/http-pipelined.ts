/**
 * The fast path of the embedded master's HTTP front, for pipelined scheduler calls.
 * A scheduler pipelines its calls (src/mesos/pipeline.ts: many POSTs per socket write,
 * one ACKNOWLEDGE per status update), and node:http answers each request of such a batch
 * with its own socket write, parses it into objects and runs it through streams: at
 * thousands of tasks a second that was a third of the master's CPU. Here every connection
 * is read first by a small parser that serves the requests it fully understands (a POST
 * to `/api/v1/scheduler` or `/master/api/v1/scheduler`, HTTP/1.1, a Host and a
 * Content-Length within the body limit, nothing exotic, while this master leads) through
 * the same endpoint logic as node:http (scheduler-endpoint.ts), and answers all the calls
 * of one read in one write, in order. At the first request it does not fully understand
 * the connection, from that request's first byte on, goes to node:http
 * (spliced-socket.ts), which answers everything else exactly as before: redirects, 413,
 * 100-continue, chunked bodies, bad syntax, the other endpoints. A SUBSCRIBE served here
 * streams its events on the socket (chunked); requests behind it wait until it ends.
 */
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Clock } from '../../ports/clock.js';
import type { FrameworkCredential } from './guard.js';
import type { Master } from './master.js';
import { answerCall, checkHead, type SchedulerAnswer, type SchedulerReply, type SchedulerRequest, type SchedulerSubscribe } from './scheduler-endpoint.js';
import { SplicedSocket } from './spliced-socket.js';
import { EventStream, type StreamSink } from './stream.js';

/** What the fast path needs from the front around it. */
export interface PipelinedOptions {
  master: Master;
  /** Whether this master leads now (else node:http answers: 307 or 503). */
  leads(): boolean;
  maxBodyBytes: number;
  credentials?: readonly FrameworkCredential[];
}

const CRLF2 = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
/** node:http's default limit on a request head (maxHeaderSize); beyond it node answers 431. */
const MAX_HEAD = 16 * 1024;
const LINES = new Set(['POST /api/v1/scheduler HTTP/1.1', 'POST /master/api/v1/scheduler HTTP/1.1']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Headers the endpoint reads: a repeated one goes to node:http, which has rules for joining them. */
const READ = new Set(['authorization', 'content-type', 'accept', 'mesos-stream-id']);

/** A request head the fast path serves: the headers the endpoint reads, and the body length. */
interface FastHead {
  headers: SchedulerRequest['headers'];
  length: number;
}

/**
 * Heads parsed lately: a scheduler sends the same head text again and again (only
 * Content-Length varies), so most heads are parsed once. Cleared when full.
 */
const heads = new Map<string, FastHead | undefined>();
const HEADS_KEPT = 256;

/** parseHead, remembering the answer for the same text. */
function parseHeadCached(head: string): FastHead | undefined {
  let parsed = heads.get(head);
  if (parsed === undefined && !heads.has(head)) {
    if (heads.size >= HEADS_KEPT) heads.clear();
    heads.set(head, (parsed = parseHead(head)));
  }
  return parsed;
}

/** Parses a request head (without its blank line); undefined for anything node:http should judge. */
function parseHead(head: string): FastHead | undefined {
  let eol = head.indexOf('\r\n');
  if (!LINES.has(eol < 0 ? head : head.slice(0, eol))) return undefined;
  const headers: Record<string, string> = {};
  let length = -1;
  let host = false;
  while (eol >= 0) {
    const start = eol + 2;
    eol = head.indexOf('\r\n', start);
    const line = eol < 0 ? head.slice(start) : head.slice(start, eol);
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!TOKEN.test(name) || BAD_VALUE.test(value)) return undefined;
    if (name === 'content-length') {
      if (length >= 0 || !/^\d{1,15}$/.test(value)) return undefined;
      length = Number(value);
    } else if (name === 'host') {
      if (host) return undefined;
      host = true;
    } else if (name === 'transfer-encoding' || name === 'expect' || name === 'upgrade') return undefined;
    else if (name === 'connection' && !/^keep-alive$/i.test(value)) return undefined;
    else if (READ.has(name)) {
      if (name in headers) return undefined;
      headers[name] = value;
    }
  }
  return length >= 0 && host ? Object.freeze({ headers: Object.freeze(headers), length }) : undefined;
}

/** The Date header's value (RFC 9110 §6.6.1), made once a second. */
class HttpDate {
  private second = -1;
  private text = '';
  /** The 202 answer of this second: almost every call gets exactly these bytes. */
  accepted = '';

  constructor(private readonly clock: Clock) {}

  now(): string {
    const s = Math.floor(this.clock.now() / 1000);
    if (s !== this.second) {
      this.second = s;
      this.text = new Date(s * 1000).toUTCString();
      this.accepted = `HTTP/1.1 202 Accepted\r\nDate: ${this.text}\r\nContent-Length: 0\r\n\r\n`;
    }
    return this.text;
  }
}

/** An answer as HTTP/1.1 text (headers ASCII, body UTF-8, as node:http writes them). */
function render(a: SchedulerReply, date: HttpDate): string {
  const day = date.now();
  if (a.status === 202 && !a.message && !a.headers) return date.accepted;
  let head = `HTTP/1.1 ${a.status} ${STATUS_CODES[a.status] ?? ''}\r\n`;
  if (a.message) head += 'Content-Type: text/plain; charset=utf-8\r\n';
  for (const [name, value] of Object.entries(a.headers ?? {})) head += `${name}: ${value}\r\n`;
  return `${head}Date: ${day}\r\nContent-Length: ${Buffer.byteLength(a.message)}\r\n\r\n${a.message}`;
}

/** One connection read by the fast path until it is handed to node:http. */
class PipelinedConnection {
  /** Bytes read and not served yet. */
  private buf: Buffer = EMPTY;
  /** `stream`: a SUBSCRIBE streams on this connection; `http`: node:http has it. */
  private mode: 'requests' | 'stream' | 'http' = 'requests';
  /** While a request's body arrives: the bytes it needs from the start of `buf`, what came after `buf`, and how many bytes there are in all. */
  private need = 0;
  private parts: Buffer[] = [];
  private have = 0;
  private paused = false;
  private readonly onData = (chunk: Buffer) => this.read(chunk);
  private readonly onEnd = () => this.ended();

  constructor(
    private readonly socket: Socket,
    private readonly opts: PipelinedOptions,
    private readonly date: HttpDate,
    private readonly handOff: (d: Duplex) => void,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', () => socket.destroy());
  }

  private read(chunk: Buffer): void {
    if (this.need > 0) {
      // A body still arriving: gather its chunks and join them once, not once per chunk.
      this.parts.push(chunk);
      this.have += chunk.length;
      if (this.have < this.need) return;
      this.buf = Buffer.concat([this.buf, ...this.parts]);
      this.parts = [];
      this.need = this.have = 0;
    } else this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.mode === 'requests') this.serve();
    else if (this.buf.length > MAX_HEAD + this.opts.maxBodyBytes) this.socket.destroy(); // calls behind a stream that never ends
  }

  /** Writes answers; while the peer does not read them, reads no more calls (as node:http does). */
  private write(text: string): void {
    this.socket.write(text);
    // Not write()'s answer: it is false for any large write, even one the kernel took at once.
    if (this.paused || this.socket.writableLength <= this.socket.writableHighWaterMark) return;
    this.paused = true;
    this.socket.pause();
    this.socket.once('drain', () => {
      this.paused = false;
      this.socket.resume();
    });
  }

  /** Serves every complete request read, answering them in one write. */
  private serve(): void {
    const { buf, opts } = this;
    let at = 0;
    let out = '';
    for (;;) {
      const end = buf.indexOf(CRLF2, at);
      if (end < 0 && buf.length - at <= MAX_HEAD) break;
      const head = end < 0 || end - at > MAX_HEAD ? undefined : parseHeadCached(buf.toString('latin1', at, end));
      if (!head || head.length > opts.maxBodyBytes || !opts.leads()) return this.toNode(at, out);
      const bodyEnd = end + 4 + head.length;
      if (buf.length < bodyEnd) {
        if (this.mode === 'requests') this.need = bodyEnd - at;
        break;
      }
      const a = this.answer({ method: 'POST', headers: head.headers }, buf.subarray(end + 4, bodyEnd));
      at = bodyEnd;
      if (a.kind === 'reply') {
        out += render(a, this.date);
        continue;
      }
      this.write(out + `HTTP/1.1 200 OK\r\nContent-Type: ${a.encoding}\r\nMesos-Stream-Id: ${a.streamId}\r\nCache-Control: no-cache\r\nDate: ${this.date.now()}\r\nTransfer-Encoding: chunked\r\n\r\n`);
      out = '';
      this.buf = buf.subarray(at);
      this.stream(a);
      return;
    }
    this.buf = at === buf.length ? EMPTY : buf.subarray(at);
    if (this.need > 0) this.have = this.buf.length;
    if (out) this.write(out);
  }

  private answer(req: SchedulerRequest, body: Buffer): SchedulerAnswer {
    try {
      const enc = checkHead(req, this.opts.credentials);
      return typeof enc === 'string' ? answerCall(this.opts.master, req, body, enc) : enc;
    } catch (err) {
      this.opts.master.opts.logger.error('embedded master request failed', { path: '/master/api/v1/scheduler', error: String(err) });
      return { kind: 'reply', status: 500, message: 'Internal error' };
    }
  }

  /** This connection carries a subscription's events until the master ends it. */
  private stream(a: SchedulerSubscribe): void {
    this.mode = 'stream';
    const socket = this.socket;
    const sink: StreamSink = {
      write: (d) => {
        if (!socket.writable || d.byteLength === 0) return;
        // One chunk (size line, events, CRLF) in one corked write, without copying the events again.
        socket.cork();
        socket.write(`${d.byteLength.toString(16)}\r\n`, 'latin1');
        socket.write(d);
        socket.write('\r\n', 'latin1');
        socket.uncork();
      },
      end: () => {
        if (socket.writable) socket.write('0\r\n\r\n');
        this.mode = 'requests';
        queueMicrotask(() => this.mode === 'requests' && this.buf.length > 0 && this.serve());
      },
      destroy: () => void socket.destroy(),
      onClose: (fn) => void socket.once('close', fn),
    };
    this.opts.master.subscribe(a.call, new EventStream(sink, a.encoding, a.streamId, this.opts.master.opts.clock));
  }

  /** The peer will send no more: answer what was served (done), then end, as node:http does. */
  private ended(): void {
    if (this.mode !== 'http') this.socket.end();
  }

  /** node:http takes the connection from byte `at` of what was read (answers before it go first). */
  private toNode(at: number, out: string): void {
    if (out) this.socket.write(out);
    this.mode = 'http';
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('end', this.onEnd);
    const unread = this.buf.subarray(at);
    this.buf = EMPTY;
    this.handOff(new SplicedSocket(this.socket, unread));
  }
}

/**
 * Puts the fast path in front of a node:http server: every new connection is read by it
 * first. Returns a function that destroys the connections it holds (node's
 * `closeAllConnections` knows only those it parses).
 */
export function pipelineFront(server: Server, opts: PipelinedOptions): () => void {
  const httpListeners = server.listeners('connection') as ((socket: Duplex) => void)[];
  server.removeAllListeners('connection');
  const handOff = (d: Duplex) => {
    for (const l of httpListeners) l.call(server, d);
  };
  const date = new HttpDate(opts.master.opts.clock);
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    new PipelinedConnection(socket, opts, date, handOff);
  });
  return () => {
    for (const s of open) s.destroy();
  };
}
