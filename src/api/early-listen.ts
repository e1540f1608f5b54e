/**
 * The API's socket, bound before the API exists. A controller must know its own URL
 * before it opens the store (the election announces it, followers forward writes to it),
 * and the port may be chosen by the OS (`--listen 127.0.0.1:0`); the API in turn is built
 * from the controller. So the socket listens first and answers 503 (`E_UNAVAILABLE`,
 * "starting") until `serve()` hands every request to the built app (fastify
 * `serverFactory`), and nothing in between is bound late.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { KairosError } from '../core/errors.js';

/** A listening HTTP server waiting for its app. */
export class EarlyListener {
  private app: RequestListener | undefined;

  private constructor(
    readonly server: Server,
    /** `http://host:port` as bound (the real port when 0 was asked for). */
    readonly url: string,
  ) {}

  /** Binds `host:port`; an address in use or not allowed is an E_UNAVAILABLE naming `--listen`. */
  static async open(host: string, port: number): Promise<EarlyListener> {
    const server = createServer(starting);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((err: NodeJS.ErrnoException) => {
      throw new KairosError('E_UNAVAILABLE', `cannot listen on ${host}:${port}: ${err.code ?? err.message} (--listen)`, { cause: err });
    });
    const addr = server.address();
    const bound = typeof addr === 'object' && addr ? addr.port : port;
    return new EarlyListener(server, `http://${host.includes(':') ? `[${host}]` : host}:${bound}`);
  }

  /** For `Fastify({ serverFactory })`: the app gets this server and gives its request handler. */
  readonly factory = (handler: (req: IncomingMessage, res: ServerResponse) => void): Server => {
    this.app = handler;
    return this.server;
  };

  /** Hands every request from now on to the app (call after `app.ready()`). */
  serve(): void {
    if (!this.app) throw new KairosError('E_INTERNAL', 'no app was built on this listener');
    this.server.off('request', starting);
    this.server.on('request', this.app);
  }

  /** Stops accepting connections and ends idle keep-alive ones; resolves when the server is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }
}

/** The answer while the controller is being built. */
function starting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
  res.end(JSON.stringify({ error: { code: 'E_UNAVAILABLE', message: 'the controller is starting; retry shortly' } }));
}
