/**
 * A controller process killed with SIGKILL during a run, then restarted: the run is adopted
 * through reconciliation and finishes; nothing runs twice. The master runs in this process
 * (so it outlives the controller, as a real master does); the controller is a real
 * `kairos serve` child process. And SIGTERM with the embedded master: exit 0, no orphaned
 * task processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/core/run.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import type { JobSummary } from '../../src/ports/controller.js';
import { jobManifest } from '../support/job-manifest.js';
import { alive, api, exited, serve, TempRepo, until } from './support.js';

describe('controller restart during a run', () => {
  let repo: TempRepo;
  let state: string;
  let master: EmbeddedMaster;
  let child: ChildProcess | undefined;
  const launches: string[] = [];

  beforeAll(async () => {
    repo = new TempRepo();
    repo.commit('slow.yaml', jobManifest('slow', undefined, 'sleep 6; echo slow done'), 'add slow');
    state = mkdtempSync(join(tmpdir(), 'kairos-e2e-restart-'));
    master = await startEmbeddedMaster({ localAgents: 1, allocationIntervalMs: 100 });
    const agent = master.agents[0];
    const launch = agent.launch.bind(agent);
    agent.launch = (l) => {
      launches.push(l.task.task_id.value);
      launch(l);
    };
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await master?.stop();
    repo?.remove();
    rmSync(state, { recursive: true, force: true });
  });

  it('SIGKILL during a run, restart: the run is adopted and finishes, launched exactly once; SIGTERM then exits 0', async () => {
    const args = ['--source', repo.dir, '--ref', 'main', '--store', `file:${join(state, 'state.json')}`, '--mesos', master.url, '--listen', '127.0.0.1:0', '--poll', '1s'];
    const first = await serve(args);
    child = first.child;
    await until('the job applied', async () => ((await api<JobSummary[]>(first.url, 'GET', '/v1/jobs')).body.some((j) => j.name === 'slow') ? true : undefined));
    const started = await api<Run>(first.url, 'POST', '/v1/jobs/slow/runs', {});
    expect(started.status).toBe(201);
    const id = encodeURIComponent(started.body.id);
    await until('the run running', async () => ((await api<Run>(first.url, 'GET', `/v1/runs/${id}`)).body.state === 'running' ? true : undefined));

    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = await serve(args);
    child = second.child;
    const done = await until('the run finished', async () => {
      const run = (await api<Run>(second.url, 'GET', `/v1/runs/${id}`)).body;
      return run.state === 'running' || run.state === 'launching' ? undefined : run;
    });
    expect(done).toMatchObject({ state: 'succeeded', attempts: [{ n: 1, exitStatus: 0 }] });
    expect(done.attempts).toHaveLength(1);
    expect(launches).toEqual([done.attempts[0].taskId]);
    expect((await api<Run[]>(second.url, 'GET', '/v1/jobs/slow/runs')).body.map((r) => r.id)).toEqual([started.body.id]);

    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    child = undefined;
  }, 60_000);
});

describe('kairos serve with the embedded master', () => {
  let repo: TempRepo;
  let state: string;
  beforeAll(() => {
    repo = new TempRepo();
    repo.commit('long.yaml', jobManifest('long', undefined, 'echo pid=$$; exec sleep 120'), 'add long');
    state = mkdtempSync(join(tmpdir(), 'kairos-e2e-term-'));
  });
  afterAll(() => {
    repo.remove();
    rmSync(state, { recursive: true, force: true });
  });

  it('SIGTERM while the controller is still starting also stops cleanly and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--source', repo.dir, '--ref', 'main', '--store', `file:${join(state, 'early', 'state.json')}`, '--listen', '127.0.0.1:0', '--agents', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let err = '';
      // The embedded master logs its start before the store, API and controller are up.
      await new Promise<void>((resolve) =>
        child.stderr!.on('data', (c) => {
          err += c;
          if (err.includes('embedded Mesos master started')) resolve();
        }),
      );
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);

  it('SIGTERM stops taking work, persists, exits 0 and leaves no task process behind', async () => {
    // The store's directory does not exist yet, as on a fresh clone (`.kairos/`).
    const { child, url } = await serve(['--source', repo.dir, '--ref', 'main', '--store', `file:${join(state, 'fresh', 'state.json')}`, '--listen', '127.0.0.1:0', '--agents', '1']);
    try {
      await until('the job applied', async () => ((await api<JobSummary[]>(url, 'GET', '/v1/jobs')).body.some((j) => j.name === 'long') ? true : undefined));
      const run = (await api<Run>(url, 'POST', '/v1/jobs/long/runs', {})).body;
      const id = encodeURIComponent(run.id);
      const pid = await until('the task printing its pid', async () => {
        const out = (await api<{ data: string } | undefined>(url, 'GET', `/v1/runs/${id}/logs?stream=stdout`)).body?.data ?? '';
        const m = /pid=(\d+)/.exec(out);
        return m ? Number(m[1]) : undefined;
      });
      expect(() => process.kill(pid, 0)).not.toThrow();
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(alive(pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
