/**
 * Masking cannot be read around: whatever offset and length a client asks for, no piece of
 * a secret that appears in a log comes back, and the pieces are not reassemblable.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { maskAcross } from '../../../src/api/redact.js';
import { makeApi } from './harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const SECRET = 's3cr3t-value-1234';
const RUN = 'nightly@2026-03-08T01:00:00.000Z';
const LOG = `starting\nTOKEN=${SECRET} connecting\ndone ${SECRET}\n`;

describe('logs API masking', () => {
  it('never returns a piece of a secret, for every offset and length', async () => {
    const h = makeApi({ secretValues: () => [SECRET] });
    app = h.app;
    h.ctl.appendLog(RUN, 'stdout', LOG);
    const id = encodeURIComponent(RUN);
    const pieces = new Set<string>();
    for (let offset = 0; offset < LOG.length; offset++) {
      for (const length of [1, 2, 5, 9, 13, 17, 25, 38]) {
        const res = await app.inject(`/v1/runs/${id}/logs?offset=${offset}&length=${length}`);
        expect(res.statusCode).toBe(200);
        const data: string = res.json().data;
        // Every 3-character piece of the secret is absent from every answer.
        for (let i = 0; i + 3 <= SECRET.length; i++) expect(data, `offset=${offset} length=${length}`).not.toContain(SECRET.slice(i, i + 3));
        pieces.add(data);
      }
    }
    const whole = (await app.inject(`/v1/runs/${id}/logs`)).json().data as string;
    expect(whole).not.toContain(SECRET);
    expect(whole).toContain('TOKEN=');
  });

  it('masks every character of a secret occurrence that overlaps the slice, and nothing else', () => {
    expect(maskAcross('TOKEN=s3cr', '3t-value-1234 conn', 'ecting', [SECRET])).toBe('*** conn');
    expect(maskAcross('', 'hello s3cr', '3t-value-1234', [SECRET])).toBe('hello ***');
    expect(maskAcross('a', 'bcd', 'e', [SECRET])).toBe('bcd');
  });
});
