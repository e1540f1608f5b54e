/**
 * `kairos serve` with the default embedded master, killed with SIGKILL while a run is in
 * flight, then restarted on the same state directory. Judged by side effects: each task
 * appends `<task id>` to a marker file, so "ran once" means one line, whatever the records
 * say. Before checkpointing, the task was left an orphan, reported "unknown" after the
 * restart and launched again (two lines).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/core/run.js';
import type { JobSummary } from '../../src/ports/controller.js';
import { alive, api, exited, serve, TempRepo, until } from './support.js';

/** A manual job that appends its task id to `marker`, then sleeps `secs` and exits `code`. */
function markerJob(name: string, marker: string, secs: number, code: number): string {
  const shell = `echo "$MESOS_TASK_ID" >> ${marker}; echo pid=$$; sleep ${secs}; exit ${code}`;
  return `apiVersion: kairos/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n  command:\n    shell: ${JSON.stringify(shell)}\n  resources: { cpus: 0.1, mem: 32 }\n  retries: { count: 2, initialDelaySeconds: 1, maxDelaySeconds: 1 }\n`;
}

describe('kairos serve (embedded master) killed with SIGKILL during a run', () => {
  let repo: TempRepo;
  let dir: string;
  let child: ChildProcess | undefined;
  const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

  beforeAll(() => {
    repo = new TempRepo();
    dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-recovery-'));
    repo.commit('live.yaml', markerJob('live', join(dir, 'live.marks'), 12, 0), 'live');
    repo.commit('ended.yaml', markerJob('ended', join(dir, 'ended.marks'), 2, 3), 'ended');
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    repo?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = () => ['--source', repo.dir, '--ref', 'main', '--store', `file:${join(dir, 'kairos', 'state.json')}`, '--listen', '127.0.0.1:0', '--agents', '1', '--poll', '1s'];

  async function startRun(url: string, job: string): Promise<{ id: string; pid: number }> {
    await until('the job applied', async () => ((await api<JobSummary[]>(url, 'GET', '/v1/jobs')).body.some((j) => j.name === job) ? true : undefined), 60_000);
    const run = (await api<Run>(url, 'POST', `/v1/jobs/${job}/runs`, {})).body;
    const id = encodeURIComponent(run.id);
    const pid = await until('the task printing its pid', async () => {
      const out = (await api<{ data: string } | undefined>(url, 'GET', `/v1/runs/${id}/logs?stream=stdout`)).body?.data ?? '';
      const m = /pid=(\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    }, 60_000);
    return { id, pid };
  }

  const finished = (url: string, id: string) =>
    until(
      'the run ended',
      async () => {
        const run = (await api<Run>(url, 'GET', `/v1/runs/${id}`)).body;
        return ['pending', 'launching', 'running', 'retrying'].includes(run.state) ? undefined : run;
      },
      90_000,
    );

  it('a task still running is reconnected and reports its end; one side effect, one attempt', async () => {
    const first = await serve(args());
    child = first.child;
    const { id, pid } = await startRun(first.url, 'live');
    first.child.kill('SIGKILL');
    await exited(first.child);
    expect(alive(pid)).toBe(true); // a checkpointed task survives its agent, as with Mesos

    const second = await serve(args());
    child = second.child;
    const run = await finished(second.url, id);
    expect(run).toMatchObject({ state: 'succeeded', attempts: [{ n: 1, exitStatus: 0 }] });
    expect(run.attempts).toHaveLength(1);
    expect(lines(join(dir, 'live.marks'))).toHaveLength(1);

    // A task ending while the controller is down reports its real exit status.
    const ended = await startRun(second.url, 'ended');
    second.child.kill('SIGKILL');
    await exited(second.child);
    await until('the task ended while down', async () => (alive(ended.pid) ? undefined : true), 60_000);

    const third = await serve(args());
    child = third.child;
    const run2 = await finished(third.url, ended.id);
    expect(run2.state).toBe('failed');
    expect(run2.attempts[0]).toMatchObject({ n: 1, exitStatus: 3, mesosState: 'TASK_FAILED' });
    // Its retries are real failures (exit 3), each one side effect: no attempt is "lost".
    expect(lines(join(dir, 'ended.marks'))).toHaveLength(run2.attempts.length);
    third.child.kill('SIGTERM');
    expect(await exited(third.child)).toBe(0);
    child = undefined;
  }, 300_000);
});
