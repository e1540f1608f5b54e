/**
 * Sends only a request's headers (no body) and reports what the server did first: asked
 * for the body (`'continue'`, for `Expect: 100-continue`) or answered (the status). Used to
 * prove a size limit is applied before a body is read.
 */
import { request } from 'node:http';

/** POSTs headers to `url` and resolves with the first answer; never sends a body. */
export function headersOnly(url: string, headers: Record<string, string>): Promise<number | 'continue'> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers });
    req.on('continue', () => {
      resolve('continue');
      req.destroy();
    });
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
