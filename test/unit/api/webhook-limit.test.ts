/**
 * The webhook's rate limit cannot be used up by forgers: signed requests have their own
 * budget, so a flood of forged ones (from the same proxy address as GitHub's) leaves the
 * genuine sender untouched. And `Expect: 100-continue` is answered only after the size
 * check, so an oversized body is refused before the client sends it.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { hmacHex, type WebhookEvent } from '../../../src/api/webhook.js';
import { makeApi } from './harness.js';

const SECRET = 'webhook-secret-xyz';
const push = JSON.stringify({ ref: 'refs/heads/main', after: 'deadbeef', repository: { full_name: 'ops/jobs' } });

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('webhook rate limit', () => {
  it('forged requests from the sender\'s address do not use up the signed budget', async () => {
    const events: WebhookEvent[] = [];
    app = makeApi({ webhook: { secret: SECRET, onWebhook: (e) => void events.push(e) }, rateLimit: { perMinute: 6, burst: 3 } }).app;
    const post = (sig: string) => app!.inject({ method: 'POST', url: '/v1/webhook', payload: push, remoteAddress: '10.0.0.1', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig } });
    const forged = [];
    for (let i = 0; i < 10; i++) forged.push((await post(`sha256=${hmacHex('guess', push)}`)).statusCode);
    expect(forged.slice(0, 3)).toEqual([401, 401, 401]);
    expect(forged.slice(3)).toEqual(Array(7).fill(429));
    const genuine = await post(`sha256=${hmacHex(SECRET, push)}`);
    expect(genuine.statusCode).toBe(202);
    expect(events).toHaveLength(1);
  });
});

describe('Expect: 100-continue', () => {
  it('is answered 413 without asking for an oversized body, and 100 for one within the limit', async () => {
    app = makeApi({ webhook: { secret: SECRET, onWebhook: () => undefined } }).app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const ask = (path: string, length: number) =>
      new Promise<number | 'continue'>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length), expect: '100-continue' } });
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
    expect(await ask('/v1/webhook', 50 * 1024 * 1024)).toBe(413);
    expect(await ask('/v1/jobs/nightly/runs', 1024 * 1024)).toBe(413);
    expect(await ask('/v1/webhook', 100)).toBe('continue');
  });
});
