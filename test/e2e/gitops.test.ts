/**
 * The controller end to end: a real temporary git repository, `startController` with the
 * embedded master (real child processes), the API over a real socket. The clock runs in
 * real time but jumps to just before each minute so the test does not wait for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import type { Run } from '../../src/core/run.js';
import { silentLogger, streamLogger } from '../../src/ports/logger.js';
import type { JobDetail, JobSummary, SyncStatus } from '../../src/ports/controller.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { jobManifest } from '../support/job-manifest.js';
import { api, TempRepo, WarpClock } from './support.js';

const MINUTE = 60_000;
const nextMinute = (t: number) => Math.floor(t / MINUTE) * MINUTE + MINUTE;

describe('kairos serve end to end (git repository → embedded Mesos)', () => {
  let repo: TempRepo;
  let state: string;
  let clock: WarpClock;
  let ctl: RunningController;

  beforeAll(async () => {
    repo = new TempRepo();
    state = mkdtempSync(join(tmpdir(), 'kairos-e2e-state-'));
    clock = new WarpClock();
    const config = compileServeConfig({
      source: repo.dir,
      ref: 'main',
      store: `file:${join(state, 'state.json')}`,
      listen: '127.0.0.1:0',
      poll: '0',
      agents: '1',
      prune: true,
    });
    ctl = await startController(config, { clock, logger: process.env.E2E_LOG ? streamLogger((l) => process.stderr.write(l), { level: 'debug', now: () => clock.now() }) : silentLogger, embedded: { allocationIntervalMs: 100 } });
  });
  afterAll(async () => {
    await ctl?.stop();
    repo?.remove();
    rmSync(state, { recursive: true, force: true });
  });

  /** Commits, pings the webhook and waits for the sync outcome. */
  async function push(file: string, content: string | undefined, message: string) {
    const commit = repo.commit(file, content, message);
    const outcome = Promise.race([
      ctl.events.next('sync:ok', (e) => e.revision === commit).then(() => 'ok' as const),
      ctl.events.next('sync:error', (e) => e.revision === commit).then(() => 'error' as const),
    ]);
    const hook = await api(ctl.url, 'POST', '/v1/webhook', { ref: 'refs/heads/main', after: commit });
    expect(hook.status).toBeLessThan(300);
    return { commit, outcome: await outcome };
  }

  /** Jumps past `instant`, then syncs once more: the dispatch queue has handled that tick by then. */
  async function passInstant(instant: number) {
    clock.warpTo(instant + 1000);
    const synced = ctl.events.next('sync:ok');
    ctl.controller.triggerSync('test');
    await synced;
  }

  it('a commit adding an every-minute job runs it on the embedded master within a second of its instant', async () => {
    const { commit, outcome } = await push('hello.yaml', jobManifest('hello', '* * * * *', 'echo hello from kairos'), 'add hello');
    expect(outcome).toBe('ok');
    const instant = nextMinute(clock.now());
    const runId = `hello@${new Date(instant).toISOString()}`;
    const finished = ctl.events.next('run:state', (e) => e.runId === runId && e.state === 'succeeded');
    clock.warpTo(instant - 300);
    await finished;
    const run = (await api<Run>(ctl.url, 'GET', `/v1/runs/${encodeURIComponent(runId)}`)).body;
    expect(run).toMatchObject({ state: 'succeeded', revision: commit, scheduledAt: instant, trigger: 'schedule' });
    const a = run.attempts[0];
    expect(a.startedAt! - instant).toBeGreaterThanOrEqual(0);
    expect(a.startedAt! - instant).toBeLessThan(1000);
    expect(a).toMatchObject({ exitStatus: 0, mesosState: 'TASK_FINISHED', agentId: expect.any(String), sandbox: expect.any(String) });
    const logs = await api<{ data: string }>(ctl.url, 'GET', `/v1/runs/${encodeURIComponent(runId)}/logs?stream=stdout`);
    expect(logs.body.data).toContain('hello from kairos');
  });

  it('a commit changing the schedule is applied and the old schedule stops', async () => {
    const { outcome } = await push('hello.yaml', jobManifest('hello', '30 * * * *', 'echo hello'), 'hourly at :30');
    expect(outcome).toBe('ok');
    const job = (await api<JobDetail>(ctl.url, 'GET', '/v1/jobs/hello')).body;
    expect(job.schedule).toBe('cron 30 * * * * (UTC)');
    expect(new Date(job.nextRunAt!).getUTCMinutes()).toBe(30);
    const minute = nextMinute(clock.now());
    if (new Date(minute).getUTCMinutes() !== 30) {
      await passInstant(minute);
      expect(ctl.controller.view.run(`hello@${new Date(minute).toISOString()}`)).toBeUndefined();
    }
  });

  it('a commit with a broken manifest changes nothing and the error is visible through the API', async () => {
    const before = (await api<SyncStatus>(ctl.url, 'GET', '/v1/sync')).body.appliedRevision;
    const { commit, outcome } = await push('hello.yaml', jobManifest('hello', '61 * * * *', 'echo hello'), 'broken cron');
    expect(outcome).toBe('error');
    const sync = (await api<SyncStatus>(ctl.url, 'GET', '/v1/sync')).body;
    expect(sync).toMatchObject({ result: 'failed', appliedRevision: before, lastRevision: commit });
    expect(sync.problems[0]).toMatchObject({ file: 'hello.yaml', line: 7 });
    expect(sync.drift).toContainEqual(expect.objectContaining({ job: '*', field: 'revision', desired: commit, live: before }));
    expect((await api<JobDetail>(ctl.url, 'GET', '/v1/jobs/hello')).body.schedule).toBe('cron 30 * * * * (UTC)');
  });

  it('a push to another branch is acknowledged and ignored', async () => {
    let synced = false;
    const off = ctl.events.on('sync:start', () => (synced = true));
    const hook = await api<{ accepted: boolean; reason: string }>(ctl.url, 'POST', '/v1/webhook', { ref: 'refs/heads/feature', after: 'f00d' });
    off();
    expect(hook.status).toBe(202);
    expect(hook.body).toEqual({ accepted: false, reason: 'push to refs/heads/feature ignored: kairos follows main' });
    expect(synced).toBe(false);
  });

  it('deleting the file with prune on removes the job and it runs no more', async () => {
    // Two more jobs, so removing one is not a mass prune (refused by the plan's safety limit).
    expect((await push('hello.yaml', jobManifest('hello', '30 * * * *', 'echo hello'), 'fix cron')).outcome).toBe('ok');
    expect((await push('keep-a.yaml', jobManifest('keep-a', undefined, 'true'), 'on-demand a')).outcome).toBe('ok');
    expect((await push('keep-b.yaml', jobManifest('keep-b', undefined, 'true'), 'on-demand b')).outcome).toBe('ok');
    const { outcome } = await push('hello.yaml', undefined, 'remove hello');
    expect(outcome).toBe('ok');
    expect((await api<JobSummary[]>(ctl.url, 'GET', '/v1/jobs')).body.map((j) => j.name)).toEqual(['keep-a', 'keep-b']);
    expect((await api(ctl.url, 'GET', '/v1/jobs/hello')).status).toBe(404);
    const runsBefore = ctl.controller.view.runs('hello')?.length ?? 0;
    const half = Math.floor(clock.now() / (30 * MINUTE)) * 30 * MINUTE + 30 * MINUTE;
    await passInstant(half + (new Date(half).getUTCMinutes() === 30 ? 0 : 30 * MINUTE));
    expect(ctl.controller.view.runs('hello')?.length ?? 0).toBe(runsBefore);
  });
});
