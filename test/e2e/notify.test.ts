/**
 * Notifications end to end: `kairos serve` as wired (embedded master, a real local agent
 * running the task's shell), a job whose first run really exits 1 and whose second run
 * succeeds. The signed webhook and the SMTP server (STARTTLS, auth) must each get the
 * failure once, the webhook the recovery once, and no log line may hold the HMAC secret.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import { streamLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { startHttpReceiver, startSmtpReceiver } from '../support/notify-receivers.js';
import { api, until } from './support.js';

const SECRET = 'e2e-hook-secret-7d1c';
const dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-notify-'));
const flag = join(dir, 'healthy');
let http: Awaited<ReturnType<typeof startHttpReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
let ctl: RunningController | undefined;
const logs: string[] = [];

beforeAll(async () => {
  [http, smtp] = await Promise.all([startHttpReceiver(SECRET), startSmtpReceiver('kairos', 'e2e-mail-pass')]);
  process.env.KAIROS_E2E_HOOK_SECRET = SECRET;
  process.env.KAIROS_E2E_SMTP_PASSWORD = 'e2e-mail-pass';
});
afterAll(async () => {
  await ctl?.stop();
  await Promise.all([http?.close(), smtp?.close()]);
  delete process.env.KAIROS_E2E_HOOK_SECRET;
  delete process.env.KAIROS_E2E_SMTP_PASSWORD;
  rmSync(dir, { recursive: true, force: true });
});

describe('kairos serve with notifications', () => {
  it('delivers failed (webhook and mail) and recovered (webhook) once each, for runs that really ran', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(
      join(src, 'probe.yaml'),
      `apiVersion: kairos/v1\nkind: Job\nmetadata: {name: probe}\nspec:\n  command: {shell: "test -e ${flag}"}\n  resources: {cpus: 0.1, mem: 32}\n  retries: {count: 0}\n` +
        `  notify:\n    - on: [failed, recovered]\n      webhook: {url: "${http.url}/kairos", secret: {env: KAIROS_E2E_HOOK_SECRET}}\n`,
    );
    const notifyConfig = join(dir, 'notify.yaml');
    writeFileSync(
      notifyConfig,
      `defaults:\n  - on: [failed]\n    email: {to: [oncall@example.com]}\nsmtp:\n  host: 127.0.0.1\n  port: ${smtp.port}\n  requireTLS: true\n  user: kairos\n  password: {env: KAIROS_E2E_SMTP_PASSWORD}\n  caFile: ${smtp.caFile}\n  from: kairos@example.com\n`,
    );
    const logger = streamLogger((l) => logs.push(l), { level: 'debug' });
    ctl = await startController(compileServeConfig({ source: src, store: 'memory', listen: '127.0.0.1:0', poll: '0', agents: '1', notifyConfig }), { logger });
    await ctl.controller.whenReady();
    const hooks = () => http.got.filter((g) => g.path === '/kairos').map((g) => ({ ...JSON.parse(g.body), ok: g.signatureOk }));

    const first = await api<{ id: string }>(ctl.url, 'POST', '/v1/jobs/probe/runs', {});
    expect(first.status).toBe(201);
    await until('the failure webhook', async () => (hooks().length >= 1 && smtp.mails.length >= 1 ? true : undefined), 30_000);
    expect(hooks()).toMatchObject([{ event: 'failed', job: 'probe', run: { id: first.body.id, state: 'failed' }, ok: true }]);
    expect(smtp.mails).toMatchObject([{ to: ['oncall@example.com'], secured: true, user: 'kairos' }]);

    writeFileSync(flag, '');
    const second = await api<{ id: string }>(ctl.url, 'POST', '/v1/jobs/probe/runs', {});
    await until('the recovery webhook', async () => (hooks().length >= 2 ? true : undefined), 30_000);
    expect(hooks().map((h) => [h.event, h.run.id, h.ok])).toEqual([
      ['failed', first.body.id, true],
      ['recovered', second.body.id, true],
    ]);
    expect((await api<{ notifications: unknown[] }>(ctl.url, 'GET', '/v1/notifications')).body.notifications).toEqual([]);
    // Delivered means delivered once: a few more rounds send nothing again.
    await new Promise((r) => setTimeout(r, 2500));
    expect(hooks()).toHaveLength(2);
    expect(smtp.mails).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(SECRET);
    expect(logs.join('\n')).not.toContain('e2e-mail-pass');
  });
});
