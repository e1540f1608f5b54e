/**
 * `kairos serve --notify-config --metrics-public` as wired by src/wiring.ts: a bad file
 * stops the start naming file, line and field; a good one gives a controller whose
 * /v1/notifications answers and whose /metrics needs no token while the rest does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { startController } from '../../../src/wiring.js';

const dir = mkdtempSync(join(tmpdir(), 'kairos-wiring-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const serve = (notifyConfig: string, extra: Record<string, unknown> = {}) =>
  compileServeConfig({ source: dir, store: 'memory', mesos: 'http://127.0.0.1:1', listen: '127.0.0.1:0', notifyConfig, metricsPublic: true, ...extra });

describe('serve with --notify-config and --metrics-public', () => {
  it('refuses a bad notify config with file:line and field', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'smtp:\n  host: mail\n  form: kairos@example.com\n');
    await expect(startController(serve(bad), { logger: silentLogger })).rejects.toMatchObject({
      code: 'E_MANIFEST',
      message: expect.stringContaining(`${bad}:3:3: smtp.form: unknown field "form" (did you mean "from"?)`),
    });
  });

  it('serves the outbox and public metrics', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'defaults:\n  - on: [failed]\n    webhook: { url: "http://127.0.0.1:9/h" }\n');
    const tokens = join(dir, 'tokens.yaml');
    writeFileSync(tokens, 'tokens:\n  - name: v\n    role: viewer\n    token: "viewer-token-0123456789"\n');
    const c = await startController(serve(good, { tokens }), { logger: silentLogger });
    try {
      expect((await fetch(`${c.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${c.url}/v1/notifications`)).status).toBe(401);
      const res = await fetch(`${c.url}/v1/notifications`, { headers: { authorization: 'Bearer viewer-token-0123456789' } });
      expect(await res.json()).toEqual({ notifications: [] });
    } finally {
      await c.stop();
    }
  });
});
