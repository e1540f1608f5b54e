/**
 * `kairos serve` (file store, embedded master, one local agent) killed with SIGKILL while
 * Docker tasks run on the suite's private dockerd, then restarted on the same store.
 * Judged by side effects: each container appends a line to a marker file in a bind-mounted
 * host directory, so "ran once" means one line, whatever the records say. Three containers
 * are in flight at the SIGKILL: one told (by a file in that directory) to end while serve is
 * down (its real exit status must reach the run), one killed through the API after the
 * restart, and one told to end after the restart (its real exit status must be reported). Before Docker tasks were checkpointed, the restarted
 * agent removed every leftover container, and each run was reported lost and ran again.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/core/run.js';
import type { JobSummary } from '../../src/ports/controller.js';
import { TEST_IMAGE, testDocker } from '../support/docker.js';
import { api, exited, serve, until } from './support.js';

const docker = testDocker();
// `kairos serve` (a child of this worker) runs its containers on the suite's dockerd.
process.env.DOCKER_HOST = docker.host;
const dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-docker-recovery-'));
const marks = join(dir, 'marks');

/**
 * A Docker job whose container appends a line to `<name>.marks`, then runs `rest`. With
 * `retries`, a run taken for lost would run again (two lines); without, a failure (the
 * exit statuses asserted here) ends the run after one attempt.
 */
function dockerJob(name: string, rest: string, retries = 0, extra = ''): string {
  const shell = `echo ran >> /marks/${name}.marks; ${rest}`;
  const volume = `{ containerPath: /marks, hostPath: ${marks}, mode: RW }`;
  return [
    'apiVersion: kairos/v1',
    'kind: Job',
    `metadata: { name: ${name} }`,
    'spec:',
    `  container: { image: "${TEST_IMAGE}", network: NONE, volumes: [${volume}] }`,
    `  command: { shell: ${JSON.stringify(shell)} }`,
    '  resources: { cpus: 0.1, mem: 32 }',
    `  retries: { count: ${retries}, initialDelaySeconds: 1, maxDelaySeconds: 1 }`,
    extra,
  ].join('\n');
}

/** Shell that waits for `/marks/<file>` to appear, then exits `code` (9 if it never does, after ~2 minutes). */
const waitFor = (file: string, code: number) =>
  `i=0; while [ ! -e /marks/${file} ] && [ $i -lt 600 ]; do sleep 0.2; i=$((i+1)); done; [ $i -lt 600 ] && exit ${code}; exit 9`;

const lines = (job: string) => {
  const f = join(marks, `${job}.marks`);
  return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
};

/** This test's containers (its agent's label), name prefix `mesos-`: `<task id> <state>` per line. */
async function containers(): Promise<string[]> {
  const agent = (JSON.parse(readFileSync(join(dir, 'kairos', 'agent', 'agent-0', 'agent.json'), 'utf8')) as { id: string }).id;
  const out = await docker.docker(['ps', '-a', '--filter', 'name=^mesos-', '--filter', `label=kairos.agent=${agent}`, '--format', '{{.Label "kairos.task"}} {{.State}}']);
  return out.split('\n').filter(Boolean);
}
const stateOf = async (job: string) => (await containers()).find((c) => c.includes(job))?.split(' ')[1];

describe('kairos serve (embedded master) killed with SIGKILL while Docker tasks run', () => {
  let child: ChildProcess | undefined;

  afterAll(async () => {
    child?.kill('SIGKILL');
    // Never leave a waiting container behind.
    for (const f of ['live.go', 'ended.go']) if (existsSync(marks)) writeFileSync(join(marks, f), '');
    rmSync(dir, { recursive: true, force: true });
  });

  const args = () => ['--source', join(dir, 'jobs'), '--store', `file:${join(dir, 'kairos', 'state.json')}`, '--listen', '127.0.0.1:0', '--agents', '1', '--poll', '0'];

  async function startRun(url: string, job: string): Promise<string> {
    await until('the job applied', async () => ((await api<JobSummary[]>(url, 'GET', '/v1/jobs')).body.some((j) => j.name === job) ? true : undefined), 60_000);
    return encodeURIComponent((await api<Run>(url, 'POST', `/v1/jobs/${job}/runs`, {})).body.id);
  }

  const runOf = async (url: string, id: string) => (await api<Run>(url, 'GET', `/v1/runs/${id}`)).body;
  const finished = (url: string, id: string) =>
    until('the run ended', async () => {
      const run = await runOf(url, id);
      return ['pending', 'launching', 'running', 'retrying'].includes(run.state) ? undefined : run;
    }, 90_000);

  it('adopts the containers: one side effect each, real exit statuses, one attempt, kill works, none left', async () => {
    mkdirSync(join(dir, 'jobs'));
    mkdirSync(marks);
    writeFileSync(join(dir, 'jobs', 'live.yaml'), dockerJob('live', waitFor('live.go', 7)));
    writeFileSync(join(dir, 'jobs', 'ended.yaml'), dockerJob('ended', waitFor('ended.go', 5)));
    writeFileSync(join(dir, 'jobs', 'killed.yaml'), dockerJob('killed', 'exec sleep 120', 1, '  killGracePeriodSeconds: 1'));

    const first = await serve(args());
    child = first.child;
    const ids: Record<string, string> = {};
    for (const job of ['live', 'ended', 'killed']) ids[job] = await startRun(first.url, job);
    await until('every container wrote its line', async () => (['live', 'ended', 'killed'].every((j) => lines(j).length === 1) ? true : undefined), 90_000);
    first.child.kill('SIGKILL');
    await exited(first.child);
    writeFileSync(join(marks, 'ended.go'), '');
    await until('the short container ended while serve is down', async () => ((await stateOf('ended')) === 'exited' ? true : undefined), 60_000);
    expect(await stateOf('live')).toBe('running'); // a checkpointed container outlives its agent
    expect(await stateOf('killed')).toBe('running');

    const second = await serve(args());
    child = second.child;
    // Ended while down: its real exit status, no retry (a lost task would have been retried).
    const ended = await finished(second.url, ids.ended);
    expect(ended).toMatchObject({ state: 'failed', attempts: [{ n: 1, exitStatus: 5, mesosState: 'TASK_FAILED' }] });
    expect(ended.attempts).toHaveLength(1);

    // Still running: adopted, and a kill reaches it.
    expect((await runOf(second.url, ids.killed)).state).toBe('running');
    expect((await api(second.url, 'POST', `/v1/runs/${ids.killed}/kill`, {})).status).toBeLessThan(300);
    const killed = await finished(second.url, ids.killed);
    expect(killed).toMatchObject({ state: 'killed', attempts: [{ n: 1 }] });
    expect(killed.attempts).toHaveLength(1);

    // Still running: adopted, and its real exit status is reported when it ends.
    expect((await runOf(second.url, ids.live)).state).toBe('running');
    expect(await stateOf('live')).toBe('running');
    writeFileSync(join(marks, 'live.go'), '');
    const live = await finished(second.url, ids.live);
    expect(live).toMatchObject({ state: 'failed', attempts: [{ n: 1, exitStatus: 7, mesosState: 'TASK_FAILED' }] });
    expect(live.attempts).toHaveLength(1);

    for (const job of ['live', 'ended', 'killed']) expect(lines(job), job).toHaveLength(1);
    await until('no container left', async () => ((await containers()).length === 0 ? true : undefined), 30_000);
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    child = undefined;
  }, 300_000);
});
