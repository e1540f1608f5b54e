import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../../src/wiring.js';
import type { TestBrowser } from './browser.js';
import { openControllerPage, type ControllerPage } from './controller-page.js';

// The web UI against a real controller: manifests in a temp directory, the memory store,
// the embedded Mesos master with local agents running real command tasks. The browser
// triggers a run; the task really runs and its stdout comes from the agent's sandbox.

const MANIFESTS = `apiVersion: kairos/v1
kind: Job
metadata: { name: hello, owner: ui-test, labels: { team: web } }
spec:
  command: { shell: 'echo "hello from a real task"; echo "a warning" >&2' }
  resources: { cpus: 0.1, mem: 32 }
  retries: { count: 0 }
---
apiVersion: kairos/v1
kind: Job
metadata: { name: greet, owner: ui-test }
spec:
  after: [hello]
  command: { shell: 'echo greet' }
  resources: { cpus: 0.1, mem: 32 }
---
apiVersion: kairos/v1
kind: DAG
metadata: { name: pipeline, owner: ui-test }
spec:
  schedule: { cron: "0 0 1 1 *", timeZone: UTC }
  tasks:
    - { name: fetch, template: { command: { shell: "true" }, resources: { cpus: 0.1, mem: 32 } } }
    - { name: build, dependsOn: [fetch], template: { command: { shell: "true" }, resources: { cpus: 0.1, mem: 32 } } }
    - { name: ship, dependsOn: [build], template: { command: { shell: "true" }, resources: { cpus: 0.1, mem: 32 } } }
`;

describe('web UI on a real controller with the embedded master', { timeout: 60_000 }, () => {
  let page: ControllerPage;
  let c: RunningController;
  let b: TestBrowser;

  beforeAll(async () => {
    page = await openControllerPage(() => MANIFESTS);
    ({ c, b } = page);
  });
  afterAll(() => page?.close());

  it('runs a job from the job page and shows its real stdout, stderr and the graph', async () => {
    const { page } = b;
    await page.goto(c.url);
    await page.locator('#jobs tr[data-job="hello"]').waitFor();
    await page.locator('#jobs tr[data-job="pipeline"] .kind', { hasText: 'DAG' }).waitFor();
    await b.shot('controller-jobs');

    await page.locator('#jobs tr[data-job="hello"]').getByRole('link', { name: 'hello' }).click();
    await page.locator('#explain li[data-code="manual-only"]').waitFor();
    // The manifest as written in git, cut from its multi-document file, with file:line@revision.
    await page.locator('pre.manifest', { hasText: 'echo "hello from a real task"' }).waitFor();
    expect(await page.locator('pre.manifest').innerText()).not.toContain('name: greet');
    const job = (await (await fetch(`${c.url}/v1/jobs/hello`)).json()) as { manifest: string; revision: string; source: { file: string; line: number } };
    expect(job.manifest).toBe(MANIFESTS.split('---\n')[0]);
    expect(job.source).toMatchObject({ file: 'jobs.yaml', line: 1 });
    await page.locator('code.src', { hasText: `jobs.yaml:1@${job.revision.replace(/^sha256:/, '').slice(0, 8)}` }).waitFor();
    const finished = c.events.next('run:state', (e) => e.job === 'hello' && e.state === 'succeeded');
    await page.getByRole('button', { name: 'Run now' }).click();
    const row = page.locator('#runs tr[data-run="hello@manual-1"]');
    await row.waitFor();
    await finished;
    await row.locator('[data-state="succeeded"]').waitFor();
    expect(await row.locator('td').nth(6).innerText()).toBe('0');
    await b.shot('controller-job');

    await row.getByRole('link').click();
    await page.locator('pre.log[data-stream="stdout"]', { hasText: 'hello from a real task' }).waitFor();
    await page.getByRole('link', { name: 'stderr' }).click();
    await page.locator('pre.log[data-stream="stderr"]', { hasText: 'a warning' }).waitFor();
    await b.shot('controller-run');

    await page.getByRole('link', { name: 'Graph' }).click();
    await page.locator('svg.dag a[data-node="hello"][data-state="succeeded"]').waitFor();
    for (const id of ['greet', 'pipeline', 'pipeline/fetch', 'pipeline/build', 'pipeline/ship']) {
      await page.locator(`svg.dag a[data-node="${id}"]`).waitFor();
    }
    await b.shot('controller-dag');

    // The same run, as the controller's metrics saw it.
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    expect(metrics).toMatch(/^kairos_runs_total\{outcome="succeeded"\} [1-9]/m);
    expect(metrics).toMatch(/^kairos_launch_latency_seconds_count [1-9]/m);
    expect(metrics).toMatch(/^kairos_mesos_connected 1$/m);
    expect(metrics).toMatch(/^kairos_leader 1$/m);
    expect(metrics).toMatch(/^kairos_reconcile_duration_seconds_count\{kind="sync"\} [1-9]/m);
    expect(metrics).toMatch(/^kairos_reconcile_duration_seconds_count\{kind="tasks"\} [1-9]/m);
  });
});
