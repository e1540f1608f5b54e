/**
 * Real receivers for notification tests: an HTTP server that records each POST and checks
 * its `X-Kairos-Signature-256` HMAC, and an SMTP server (smtp-server) with STARTTLS and
 * auth on a certificate made by openssl for this test run.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

/** One POST the HTTP receiver got. */
export interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Whether the signature header matched the body under the receiver's secret (undefined: no header). */
  signatureOk?: boolean;
}

/** An HTTP receiver; `failNext` makes the next N requests answer 500. */
export async function startHttpReceiver(secret: string) {
  const got: Received[] = [];
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['x-kairos-signature-256'];
      let signatureOk: boolean | undefined;
      if (typeof header === 'string') {
        const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
        signatureOk = want.length === header.length && timingSafeEqual(want, Buffer.from(header));
      }
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end('down');
        return;
      }
      got.push({ path: req.url ?? '', headers: req.headers, body, signatureOk });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    got,
    failNext: (n: number) => void (failNext = n),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One message the SMTP receiver accepted. */
export interface Mail {
  from: string;
  to: string[];
  raw: string;
  /** The session was upgraded with STARTTLS before the message. */
  secured: boolean;
  user?: string;
}

/** An SMTP server on 127.0.0.1 requiring STARTTLS and the given login; `caFile` is its certificate. */
export async function startSmtpReceiver(user: string, password: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-smtp-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: readFileSync(key),
    cert: readFileSync(cert),
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, session, cb) {
      if (!session.secure) return cb(new Error('auth before STARTTLS'));
      if (auth.username === user && auth.password === password) return cb(null, { user });
      cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secured: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    caFile: cert,
    mails,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
