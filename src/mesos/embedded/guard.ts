/**
 * What the embedded master's HTTP front checks before it does any work for a request:
 * - the body size: a Content-Length over the limit is answered 413 before a byte of the
 *   body is read (and an `Expect: 100-continue` client is never asked to send it); a
 *   chunked body that grows past the limit gets 413 too, never a connection reset;
 * - framework authentication: with credentials configured (a principal and secret, like
 *   Mesos's `--credentials` file with `--authenticate_http_frameworks`, HTTP Basic as the
 *   `basic` HTTP authenticator), every scheduler call must carry one of them, so another
 *   process on the machine cannot subscribe and take offers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One framework credential (Mesos Credential: principal + secret). */
export interface FrameworkCredential {
  principal: string;
  secret: string;
}

/** Default largest request body: 4 MiB (an ACCEPT of many tasks stays far below). */
export const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

/** Whether the declared Content-Length is over `max`. */
export function declaredTooLarge(req: IncomingMessage, max: number): boolean {
  const n = Number(req.headers['content-length'] ?? 0);
  return !Number.isFinite(n) || n > max;
}

/** Answers 413 and closes the connection after the answer (the rest of the body is not read). */
export function tooLarge(res: ServerResponse, max: number): void {
  res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end(`Request body too large (limit ${max} bytes)`);
}

/** Reads the body, or undefined once it grows past `max` (the rest is discarded, not buffered). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        parts.length = 0;
        resolve(undefined);
      } else parts.push(c);
    });
    req.on('end', () => over || resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The digests of each configured credentials list, computed once: every pipelined call is checked. */
const digestsOf = new WeakMap<readonly FrameworkCredential[], Buffer[]>();

/** Whether an Authorization header value carries one of `credentials` as HTTP Basic (true when none are configured). */
export function authenticated(authorization: string | undefined, credentials: readonly FrameworkCredential[] | undefined): boolean {
  if (!credentials?.length) return true;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!m) return false;
  const given = digest(Buffer.from(m[1], 'base64').toString('utf8'));
  let known = digestsOf.get(credentials);
  if (!known) digestsOf.set(credentials, (known = credentials.map((c) => digest(`${c.principal}:${c.secret}`))));
  let ok = false;
  for (const d of known) if (timingSafeEqual(d, given)) ok = true;
  return ok;
}
