import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../../src/api/access.js';
import { makeApi } from '../unit/api/harness.js';
import type { MemoryController } from '../unit/api/memory-controller.js';
import type { OutboxEntry } from '../../src/notify/events.js';
import { openBrowser, type TestBrowser } from './browser.js';

// The web UI in a real browser against buildApp over the in-memory controller double:
// the double's runs really move pending → running → succeeded, driven by the test, and
// the UI (refreshing every 2 s) has to show each state. Waits are on DOM conditions.

describe('web UI', { timeout: 60_000 }, () => {
  let app: FastifyInstance;
  let ctl: MemoryController;
  let url: string;
  let b: TestBrowser;
  const notifications: OutboxEntry[] = [];

  beforeAll(async () => {
    const h = makeApi({ notifications: async () => notifications });
    app = h.app;
    ctl = h.ctl;
    ctl.addJob('transcode', { owner: 'media', spec: { after: ['report'] } });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    b = await openBrowser();
  });
  afterAll(async () => {
    await b?.close();
    await app?.close();
  });

  it('shows the jobs table, a job, a triggered run until it finishes, its logs, and the graph', async () => {
    const { page } = b;
    await page.goto(url);
    const row = page.locator('#jobs tr[data-job="nightly"]');
    await expect.poll(() => row.locator('td').allInnerTexts()).toEqual([
      'nightly',
      'idle',
      'cron 0 2 * * * (Europe/Berlin)',
      expect.stringMatching(/^in 13h/),
      expect.stringMatching(/^succeeded /),
      'data-team',
      'abc1234',
    ]);
    await expect.poll(() => page.locator('#sync').getAttribute('data-result')).toBe('ok');
    await b.shot('jobs');

    await row.getByRole('link', { name: 'nightly' }).click();
    await page.locator('h1', { hasText: 'nightly' }).waitFor();
    await page.locator('pre.manifest', { hasText: 'name: nightly' }).waitFor();
    await page.locator('#explain li[data-code="scheduled"]').waitFor();
    await b.shot('job');

    await page.getByRole('button', { name: 'Run now' }).click();
    const run = page.locator('#runs tr[data-run="nightly@manual-1"]');
    await run.locator('[data-state="pending"]').waitFor();
    expect(ctl.calls).toEqual([['runNow', 'nightly', undefined]]);

    ctl.transition('nightly@manual-1', 'running', { hostname: 'agent-7' });
    await run.locator('[data-state="running"]').waitFor();
    await page.locator('#explain li[data-code="running"]', { hasText: 'agent-7' }).waitFor();
    ctl.appendLog('nightly@manual-1', 'stdout', 'transcoding 3 files\ndone\n');
    ctl.transition('nightly@manual-1', 'succeeded');
    await run.locator('[data-state="succeeded"]').waitFor();
    await b.shot('job-after-run');

    await run.getByRole('link').click();
    await page.locator('pre.log[data-stream="stdout"]', { hasText: 'transcoding 3 files' }).waitFor();
    await page.locator('h1 [data-state="succeeded"]').waitFor();
    await b.shot('run');

    await page.getByRole('link', { name: 'Graph' }).click();
    await page.locator('svg.dag a[data-node="nightly"][data-state="succeeded"]').waitFor();
    await page.locator('svg.dag a[data-node="transcode"]').waitFor();
    expect(await page.locator('svg.dag path.edge.after').count()).toBe(2);
    const fill = await page.locator('svg.dag a[data-node="nightly"] rect').evaluate((el) => getComputedStyle(el).fill);
    expect(fill).toBe('rgb(92, 184, 92)');
    await b.shot('dag');
  });

  it('kills a running run from its page, and pauses a job', async () => {
    const run = await ctl.runNow('report');
    ctl.transition(run.id, 'running');
    await b.page.goto(`${url}/#/runs/${encodeURIComponent(run.id)}`);
    await b.page.locator('h1 [data-state="running"]').waitFor();
    await b.page.getByRole('button', { name: 'Kill' }).click();
    await b.page.locator('h1 [data-state="killed"]').waitFor();
    await b.page.getByRole('status').filter({ hasText: 'Kill: done' }).waitFor();
    expect(ctl.calls.at(-1)).toEqual(['kill', run.id]);

    await b.page.goto(`${url}/#/jobs/report`);
    await b.page.getByRole('button', { name: 'Pause' }).click();
    await b.page.locator('h1 [data-state="paused"]').waitFor();
    await b.page.locator('#explain li[data-code="paused"]').waitFor();
    await b.page.locator('#sync.warn', { hasText: 'report paused=true (git: false)' }).waitFor();
    await b.page.getByRole('button', { name: 'Resume' }).click();
    await b.page.locator('h1 [data-state="idle"]').waitFor();
  });

  it('shows a failed sync with its problem location and the drift it leaves in the banner', async () => {
    const drift = [
      { job: '*', field: 'revision', desired: 'f00dfacecafe', live: 'abc1234' },
      { job: 'nightly', field: 'spec.schedule.expression', desired: '0 2 * * *', live: '*/7 * * * *' },
      { job: 'old', field: 'exists', desired: false, live: true },
    ];
    ctl.syncStatus = { ...ctl.syncStatus, result: 'failed', message: 'manifests failed validation', problems: [{ file: 'jobs/x.yaml', line: 3, column: 5, path: 'spec.schedule', message: 'bad cron' }], drift };
    await b.page.goto(`${url}/#/`);
    await b.page.locator('#sync.bad', { hasText: 'jobs/x.yaml:3:5 spec.schedule: bad cron' }).waitFor();
    await b.page.locator('#sync', { hasText: 'drift from git (3)' }).waitFor();
    await b.page.locator('#sync li[data-field="revision"]', { hasText: 'git head f00dface is not applied; still running abc1234' }).waitFor();
    await b.page.locator('#sync li[data-job="nightly"]', { hasText: 'nightly spec.schedule.expression="*/7 * * * *" (git: "0 2 * * *")' }).waitFor();
    await b.page.locator('#sync li[data-job="old"]', { hasText: 'old: applied, but not in git' }).waitFor();
    await b.shot('sync-failed');
    ctl.syncStatus = { ...ctl.syncStatus, result: 'ok', message: undefined, problems: [], drift: [] };
  });

  it('shows notifications that could not be delivered in the health strip, with the error', async () => {
    await b.page.goto(`${url}/#/`);
    await b.page.locator('#notifications.ok', { hasText: 'notifications ok' }).waitFor();
    const run = { id: 'nightly@2026-03-08T01:00:00.000Z', state: 'failed' as const, scheduledAt: 0, attempts: 1 };
    notifications.push({ id: `${run.id}~failed`, event: 'failed', job: 'nightly', run, at: 0, targets: [{ target: { slack: { url: { env: 'SLACK_URL' } } }, delivered: false }], attempts: 8, nextAt: 0, status: 'failed', lastError: 'slack: HTTP 404 Not Found' });
    const pill = b.page.locator('#notifications.bad', { hasText: '1 notification failed' });
    await pill.waitFor();
    expect(await pill.getAttribute('title')).toBe(`failed ${run.id}: failed (slack: HTTP 404 Not Found)`);
    await b.shot('notification-failed');
    notifications.length = 0;
  });

  it('shows a preempted attempt with the run it made room for, and the requeued run', async () => {
    const run = ctl.addRun({
      id: 'report@preempted',
      job: 'report',
      state: 'pending',
      reason: 'attempt 1 preempted by nightly@x: waiting to run again',
      attempts: [{ n: 1, taskId: 't1', intentAt: 0, notBefore: 0, endedAt: 1, mesosState: 'TASK_KILLED', outcome: 'killed', preemptedBy: 'nightly@x' }, { n: 2, taskId: 't2', intentAt: 1, notBefore: 1 }],
    });
    await b.page.goto(`${url}/#/runs/${encodeURIComponent(run.id)}`);
    await b.page.locator('[data-preempted-by="nightly@x"] a[href="#/runs/nightly%40x"]').waitFor();
    await b.page.locator('p.error', { hasText: 'attempt 1 preempted by nightly@x' }).waitFor();
    await b.shot('preempted-run');
  });
});

describe('web UI with access control', { timeout: 60_000 }, () => {
  it('asks for a token, and a viewer cannot run a job', async () => {
    const access = accessConfig([{ name: 'vera', role: 'viewer', token: 'viewer-token-0123456789' }]);
    const h = makeApi({ access });
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const b = await openBrowser();
    try {
      await b.page.goto(`${url}/#/jobs/nightly`);
      await b.page.locator('#login').waitFor();
      await b.page.fill('#token', 'viewer-token-0123456789');
      await b.page.getByRole('button', { name: 'Sign in' }).click();
      await b.page.getByRole('button', { name: 'Run now' }).click();
      await b.page.getByRole('status').filter({ hasText: 'Run now: vera has role viewer; this needs operator' }).waitFor();
      expect(h.ctl.calls).toEqual([]);
      await b.shot('viewer-forbidden');
    } finally {
      await b.close();
      await h.app.close();
    }
  });
});
