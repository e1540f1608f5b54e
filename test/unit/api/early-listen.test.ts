import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { EarlyListener } from '../../../src/api/early-listen.js';

describe('EarlyListener', () => {
  it('answers 503 while the controller is built, then hands every request to the app on the same socket', async () => {
    const listener = await EarlyListener.open('127.0.0.1', 0);
    try {
      expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const early = await fetch(`${listener.url}/v1/jobs`);
      expect(early.status).toBe(503);
      expect(early.headers.get('retry-after')).toBe('1');
      expect(await early.json()).toEqual({ error: { code: 'E_UNAVAILABLE', message: 'the controller is starting; retry shortly' } });
      const app = Fastify({ serverFactory: listener.factory });
      app.get('/v1/jobs', async () => ['hello']);
      await app.ready();
      listener.serve();
      const served = await fetch(`${listener.url}/v1/jobs`);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual(['hello']);
      await app.close();
    } finally {
      await listener.close();
    }
    await expect(fetch(`${listener.url}/v1/jobs`)).rejects.toThrow();
  });

  it('names --listen when the address is taken', async () => {
    const first = await EarlyListener.open('127.0.0.1', 0);
    try {
      const port = Number(new URL(first.url).port);
      await expect(EarlyListener.open('127.0.0.1', port)).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: EADDRINUSE (--listen)`);
    } finally {
      await first.close();
    }
  });
});
