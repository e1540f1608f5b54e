import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackfillProgress, JobStats, Timeline } from '../../src/ports/charts.js';
import type { BackfillResult } from '../../src/ports/controller.js';
import type { RunningController } from '../../src/wiring.js';
import { SCREENSHOTS, type TestBrowser } from './browser.js';
import { openControllerPage, type ControllerPage } from './controller-page.js';

// Charts and backfill on a real controller (memory store, embedded master, one local agent
// running real shell tasks). The run history the charts draw is made by backfills: each
// task appends its KAIROS_SCHEDULED_AT to a file, so "run once" is judged by that file.

const execFileP = promisify(execFile);
const TEN_MIN = 600_000;

function manifests(file: string): string {
  return `apiVersion: kairos/v1
kind: Job
metadata: { name: etl, owner: charts-test }
spec:
  schedule: { cron: "*/10 * * * *", timeZone: UTC }
  concurrencyPolicy: Allow
  timeoutSeconds: 5
  sla: { finishWithinSeconds: 4 }
  history: { succeeded: 200, failed: 200 }
  retries: { count: 0 }
  resources: { cpus: 0.2, mem: 64 }
  command:
    shell: 'echo "$KAIROS_SCHEDULED_AT" >> ${file}; m=$(echo "$KAIROS_SCHEDULED_AT" | cut -c15-16); sleep 0.$(( m / 10 + 1 )); [ "$m" != 40 ]'
---
apiVersion: kairos/v1
kind: DAG
metadata: { name: pipeline, owner: charts-test }
spec:
  schedule: { cron: "0 */2 * * *", timeZone: UTC }
  history: { succeeded: 50, failed: 50 }
  tasks:
    - { name: fetch, template: { command: { shell: "sleep 0.2" }, resources: { cpus: 0.1, mem: 32 } } }
    - { name: build, dependsOn: [fetch], template: { command: { shell: 'h=$(echo "$KAIROS_SCHEDULED_AT" | cut -c12-13); h=\${h#0}; sleep 0.3; [ $(( h % 6 )) != 0 ]' }, retries: { count: 0 }, resources: { cpus: 0.5, mem: 128 } } }
    - { name: ship, dependsOn: [build], template: { command: { shell: "true" }, resources: { cpus: 0.1, mem: 32 } } }
`;
}

describe('charts and backfill on a real controller', { timeout: 180_000 }, () => {
  let file: string;
  let page: ControllerPage;
  let c: RunningController;
  let b: TestBrowser;

  beforeAll(async () => {
    page = await openControllerPage((dir) => manifests((file = join(dir, 'ran.txt'))));
    ({ c, b } = page);
  });
  afterAll(() => page?.close());

  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${c.url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it('backfills a window without repeating what already ran, then charts the history', async () => {
    // A two-hour window of 10-minute instants, ending at least ten minutes ago.
    const to = Math.floor(Date.now() / TEN_MIN) * TEN_MIN - TEN_MIN;
    const from = to - 2 * 6 * TEN_MIN + TEN_MIN;
    const iso = (t: number) => new Date(t).toISOString();
    const instants = Array.from({ length: 12 }, (_, i) => iso(from + i * TEN_MIN));

    // 1. Four instants run first, through the API.
    const first = await api<BackfillResult>('/v1/jobs/etl/backfill', { from: instants[8], to: instants[11], maxParallel: 4 });
    expect(first.instants.map((i) => i.action)).toEqual(['run', 'run', 'run', 'run']);
    await until(() => api<BackfillProgress[]>('/v1/jobs/etl/backfills'), (l) => l.length === 1 && l[0].done);

    // 2. The dry run over the whole window lists the eight gaps and skips the four.
    const dry = await api<BackfillResult>('/v1/jobs/etl/backfill', { from: iso(from), to: iso(to), dryRun: true });
    expect(dry.instants.filter((i) => i.action === 'skip').map((i) => iso(i.at))).toEqual(instants.slice(8));
    expect(dry.instants.filter((i) => i.action === 'run')).toHaveLength(8);

    // 3. The CLI backfills the whole window with --wait: progress bar and summary.
    const cli = await execFileP(process.execPath, ['--import', 'tsx', 'src/main.ts', 'backfill', 'etl', '--from', iso(from), '--to', iso(to), '--max-parallel', '3', '--wait', '--server', c.url]).catch((e) => e);
    const failures = instants.filter((t) => t.slice(14, 16) === '40');
    expect(cli.stdout).toMatch(/backfill-\S+ of etl: 12 instants, 8 to run, 0 to re-run, 4 skipped/);
    expect(cli.stdout).toMatch(/^\[#+\.*\] \d+\/8 /m);
    expect(cli.stdout).toContain(`done: ${8 - failures.filter((t) => instants.indexOf(t) < 8).length} of 8 succeeded`);
    expect(cli.code ?? 0).toBe(failures.some((t) => instants.indexOf(t) < 8) ? 1 : 0);

    // Each instant ran exactly once, and saw its own scheduled instant.
    const ran = (await readFile(file, 'utf8')).trim().split('\n').filter((l) => l >= iso(from) && l <= iso(to));
    expect(ran.sort()).toEqual(instants);

    // 4. --rerun-failed would re-run exactly the failed instants.
    const rerun = await api<BackfillResult>('/v1/jobs/etl/backfill', { from: iso(from), to: iso(to), rerun: 'failed', dryRun: true });
    expect(rerun.instants.filter((i) => i.action === 'rerun').map((i) => iso(i.at))).toEqual(failures);

    // A DAG backfill of three 2-hourly instants: each run is a whole DAG run; `build` fails
    // at the one whose hour is a multiple of 6, so its `ship` is skipped.
    const dag = await api<BackfillResult>('/v1/jobs/pipeline/backfill', { from: iso(to - 6 * 3_600_000 + 1), to: iso(to) });
    expect(dag.instants.length).toBe(3);
    const dagDone = await until(() => api<BackfillProgress[]>('/v1/jobs/pipeline/backfills'), (l) => l[0]?.done === true);
    expect([dagDone[0].succeeded, dagDone[0].failed]).toEqual([2, 1]);

    // The job page: duration chart, figures, grid and the backfills as groups. (A scheduled
    // run may join the history if the test crosses a 10-minute mark: figures come from stats.)
    const stats = await api<JobStats>('/v1/jobs/etl/stats');
    const backfilled = stats.points.filter((p) => p.trigger === 'backfill');
    expect(backfilled.map((p) => iso(p.scheduledAt))).toEqual(instants);
    expect(backfilled.filter((p) => p.state === 'failed').map((p) => iso(p.scheduledAt))).toEqual(failures);
    const finished = stats.points.filter((p) => p.durationMs !== undefined);
    expect(stats).toMatchObject({ timeoutSeconds: 5, slaSeconds: 4, finished: finished.length, successRate: finished.filter((p) => p.state === 'succeeded').length / finished.length });
    const { page } = b;
    await page.goto(`${c.url}/#/jobs/etl`);
    const chart = page.locator('svg.chart.duration');
    await chart.waitFor();
    expect(await chart.locator('circle.pt').count()).toBe(stats.points.filter((p) => p.durationMs !== undefined).length);
    expect(await chart.locator('circle.pt.s-failed').count()).toBe(finished.filter((p) => p.state === 'failed').length);
    for (const line of ['timeout', 'sla', 'p50', 'p95']) expect(await chart.locator(`line.${line}`).count()).toBe(1);
    const grid = page.locator('svg.runs-grid');
    expect(await grid.locator('rect.cell').count()).toBe(stats.columns.length);
    expect(await grid.locator('a[data-state="failed"]').count()).toBe(stats.columns.filter((c) => c.state === 'failed').length);
    expect(await page.locator('.backfill[data-done="true"]').count()).toBe(2);
    await page.locator('#history').screenshot({ path: join(SCREENSHOTS, 'chart-duration.png') });
    await page.locator('#backfills').screenshot({ path: join(SCREENSHOTS, 'chart-backfills.png') });

    // The DAG's grid: one row per task, one column per DAG run, each cell a link to its run.
    await page.goto(`${c.url}/#/jobs/pipeline`);
    const dagGrid = page.locator('svg.runs-grid');
    await dagGrid.waitFor();
    const dagStats = await api<JobStats>('/v1/jobs/pipeline/stats');
    const cells = dagStats.columns.flatMap((c) => Object.values(c.cells).map((x) => x.state));
    expect(dagStats.rows).toEqual(['fetch', 'build', 'ship']);
    expect(cells.filter((x) => x === 'failed')).toHaveLength(1);
    expect(cells.filter((x) => x === 'skipped')).toHaveLength(1);
    for (const state of ['succeeded', 'failed', 'skipped']) {
      expect(await dagGrid.locator(`a[data-state="${state}"] rect.cell`).count(), state).toBe(cells.filter((x) => x === state).length);
    }
    await page.locator('#history').screenshot({ path: join(SCREENSHOTS, 'chart-grid.png') });
    await dagGrid.locator('a[data-state="succeeded"]').first().click();
    await page.waitForURL(/#\/runs\/pipeline%40/);

    // The timeline: upcoming runs per job and demand per hour against the agents' capacity.
    const tl = await api<Timeline>('/v1/timeline');
    expect(tl.capacity?.agents).toBe(1);
    expect(tl.jobs.map((j) => [j.job, j.expectedFrom])).toEqual([['etl', 'history'], ['pipeline', 'history']]);
    await page.goto(`${c.url}/#/timeline`);
    const runs = page.locator('svg.timeline-runs');
    await runs.waitFor();
    expect(await runs.locator('rect.run[data-job="etl"]').count()).toBe(tl.runs.filter((r) => r.job === 'etl').length);
    expect(await runs.locator('rect.run[data-job="pipeline"]').count()).toBe(12);
    expect(await page.locator('svg.demand-cpus g.hour').count()).toBe(24);
    expect(await page.locator('svg.demand-cpus line.capacity').count()).toBe(1);
    expect(await page.locator('svg.demand-mem rect.bar').count()).toBe(tl.hours.reduce((n, h) => n + h.byJob.length, 0));
    await page.locator('main').screenshot({ path: join(SCREENSHOTS, 'chart-timeline.png') });
  });
});
