/**
 * Forwarding a write from a follower to the leader, at most once. Chronos instances that
 * disagreed about the leader proxied requests to each other in loops (chronos #656, #706);
 * Metronome marks forwarded requests (`X-VIA`) and Aurora answers 503 instead of proxying.
 * Kairos does both: the first follower adds a hop header and forwards; a request that
 * already carries the header is answered 503 naming the leader, never forwarded again.
 * Framework-free (node:http), so the API calls it from any hook.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Leadership } from '../ports/leader.js';

/** The hop header: the URL of the follower that forwarded the request. */
export const FORWARDED_BY = 'x-kairos-forwarded-by';
/** Response header naming the leader a 503 refers clients to. */
export const LEADER_HEADER = 'x-kairos-leader';

/** A request as the API received it. `url` is the path with query string. */
export interface ForwardRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A response ready to send as is. */
export interface ForwardResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Options for edge cases; the defaults suit the API. */
export interface ForwardOptions {
  /** Give up on the leader after this long without a byte (ms). */
  timeoutMs?: number;
}

// RFC 9110 §7.6.1 connection-specific fields, plus ones node:http recomputes, plus the
// browser's origin fields: the follower checked them against its own Host already, and the
// leader would see the follower's origin as a foreign one (src/api/origin.ts).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length', 'origin', 'sec-fetch-site', 'sec-fetch-mode', 'sec-fetch-dest', 'sec-fetch-user', 'referer']);

/**
 * Forwards `req` to the leader once, or answers 503 when that would loop or no leader is
 * known. Never throws: network failures become 503 too. Call it only when
 * `!leadership.isLeader()` and the request is a write.
 */
export async function forwardToLeader(
  req: ForwardRequest,
  leadership: Leadership,
  selfUrl: string,
  opts: ForwardOptions = {},
): Promise<ForwardResponse> {
  const leader = leadership.leaderUrl();
  const via = headerValue(req.headers[FORWARDED_BY]);
  if (via !== undefined) {
    return unavailable(`this controller is not the leader and the request was already forwarded by ${via}; not forwarding again`, leader);
  }
  if (!leader || sameOrigin(leader, selfUrl)) return unavailable('no leader is known right now; retry shortly', undefined);
  try {
    return await send(leader, req, selfUrl, opts.timeoutMs ?? 10_000);
  } catch (err) {
    return unavailable(`the leader at ${leader} did not answer: ${(err as Error).message}`, leader);
  }
}

function send(leader: string, req: ForwardRequest, selfUrl: string, timeoutMs: number): Promise<ForwardResponse> {
  const target = new URL(req.url, leader);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
  headers[FORWARDED_BY] = selfUrl;
  if (req.body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(req.method.toUpperCase())) {
    headers['content-length'] = String(req.body.length);
  }
  const requester = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = requester(target, { method: req.method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined && !HOP_BY_HOP.has(k)) h[k] = Array.isArray(v) ? v.join(', ') : v;
        }
        resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
      });
    });
    out.on('timeout', () => out.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    out.on('error', reject);
    out.end(req.body);
  });
}

/** The API's error shape (src/api/errors.ts) with status 503 and the leader, if known. */
function unavailable(message: string, leader: string | undefined): ForwardResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' };
  if (leader) headers[LEADER_HEADER] = leader;
  const body = { error: { code: 'E_UNAVAILABLE', message }, ...(leader ? { leader } : {}) };
  return { status: 503, headers, body: Buffer.from(JSON.stringify(body)) };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return a === b;
  }
}
