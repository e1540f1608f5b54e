import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningController } from '../../src/wiring.js';
import type { TestBrowser } from './browser.js';
import { openControllerPage, type ControllerPage } from './controller-page.js';

// The web UI of a controller with two embedded clusters (--cluster dc1=embedded --cluster
// dc2=embedded): a pill per cluster, and a job restricted to dc1 explained per cluster
// when dc1 loses its master.

const MANIFESTS = `apiVersion: kairos/v1
kind: Job
metadata: { name: west }
spec:
  command: { shell: 'echo west' }
  resources: { cpus: 0.1, mem: 32 }
  clusters: [dc1]
`;

describe('web UI with several clusters', { timeout: 60_000 }, () => {
  let page: ControllerPage;
  let c: RunningController;
  let b: TestBrowser;

  beforeAll(async () => {
    page = await openControllerPage(() => MANIFESTS, { cluster: ['dc1=embedded', 'dc2=embedded'] });
    ({ c, b } = page);
  });
  afterAll(() => page?.close());

  it('shows each cluster, and explains a run waiting on the one that lost its master', async () => {
    const { page } = b;
    await page.goto(c.url);
    await page.locator('#cluster .pill.ok', { hasText: 'dc1 connected' }).waitFor();
    await page.locator('#cluster .pill.ok', { hasText: 'dc2 connected' }).waitFor();

    const dc1 = c.clusters.get('dc1')!;
    dc1.setLeadership({ kind: 'none' });
    dc1.faults.dropStream();
    await page.locator('#cluster .pill.bad', { hasText: 'dc1 disconnected' }).waitFor();
    const run = (await (await fetch(`${c.url}/v1/jobs/west/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { id: string };

    await page.locator('#jobs tr[data-job="west"]').getByRole('link', { name: 'west' }).click();
    const down = page.locator('#explain li[data-code="disconnected"]', { hasText: 'cluster dc1' });
    await down.waitFor();
    expect(await down.innerText()).toBe('cluster dc1: not subscribed to its Mesos master');
    const waits = page.locator('#explain li[data-code="no-offer-fits"]', { hasText: run.id });
    await waits.waitFor();
    expect(await waits.innerText()).toMatch(new RegExp(`^run ${run.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} waits on cluster dc1 for \\d+s \\(waiting for offers\\); dc1: not subscribed to its Mesos master$`));
    await b.shot('clusters-explain');
    dc1.setLeadership({ kind: 'leader' });
  });
});
