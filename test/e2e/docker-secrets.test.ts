/**
 * A real `kairos serve` process (embedded master, file store, `--secrets-dir`) running
 * Docker jobs on the suite's dockerd: the Docker example from examples/ against the local
 * busybox image, output through the logs API while the container runs, kill (container
 * gone), a secret delivered as env and file, a reference that cannot be resolved failing
 * its run, and the secret's value absent from the store file, the controller's log and
 * every API response.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_IMAGE, testDocker } from '../support/docker.js';
import { jobYaml as job } from '../fixtures/manifests/index.js';
import { signalProcess } from '../support/ha-cluster.js';
import { serveLogged, until as waitUntil, type LoggedServe } from './support.js';

const SECRET = 'warehouse-pw-7f3a9c';
const docker = testDocker();
const dir = mkdtempSync(join(tmpdir(), 'kairos-docker-e2e-'));
const responses: string[] = [];
let served: LoggedServe | undefined;
const log = (): string => served?.log() ?? '';
let url = '';

const container = '{ image: "busybox:1.36", network: NONE }';

beforeAll(async () => {
  await docker.docker(['tag', TEST_IMAGE, 'busybox:1.36']);
  mkdirSync(join(dir, 'jobs'));
  mkdirSync(join(dir, 'secrets/bi'), { recursive: true });
  writeFileSync(join(dir, 'secrets/bi/warehouse-password'), `${SECRET}\n`);
  copyFileSync(fileURLToPath(new URL('../../examples/docker-report.yaml', import.meta.url)), join(dir, 'jobs/docker-report.yaml'));
  writeFileSync(
    join(dir, 'jobs/more.yaml'),
    [
      job('docker-live', `container: ${container}\ncommand: { shell: "echo first; echo to-stderr >&2; exec sleep 30" }\nkillGracePeriodSeconds: 1\nresources: { cpus: 0.1, mem: 32 }`),
      job('leaky', `command: { shell: 'echo "pw=$DB_PASSWORD"; cat conf/pw' }\nsecrets:\n  - { env: DB_PASSWORD, secret: bi/warehouse-password }\n  - { file: conf/pw, secret: bi/warehouse-password }\nresources: { cpus: 0.1, mem: 32 }`),
      job('unresolvable', `command: { shell: 'echo "x=$NOPE"' }\nsecrets: [{ env: NOPE, secret: bi/nope }]\nretries: { count: 0 }\nresources: { cpus: 0.1, mem: 32 }`),
    ].join('---\n'),
  );
  const args = ['--source', join(dir, 'jobs'), '--store', `file:${join(dir, 'state.json')}`, '--secrets-dir', join(dir, 'secrets'), '--listen', '127.0.0.1:0', '--agents', '1', '--log-level', 'debug', '--poll', '0'];
  served = await serveLogged(args, { DOCKER_HOST: docker.host });
  url = served.url;
}, 60_000);

afterAll(async () => {
  if (served) await signalProcess(served.proc, 'SIGTERM');
  await docker.docker(['rmi', 'busybox:1.36']).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

/** Calls the API and keeps the raw body for the final leak check. */
async function api(path: string, method = 'GET'): Promise<{ status: number; text: string; json: () => any }> {
  // Writes are JSON (the API refuses other bodies as a CSRF guard); `{}` means no parameters.
  const res = await fetch(url + path, method === 'GET' ? {} : { method, headers: { 'content-type': 'application/json' }, body: '{}' });
  const text = await res.text();
  const headers: string[] = [];
  res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  responses.push(`${method} ${path} ${res.status} ${headers.join('\n')} ${text}`);
  return { status: res.status, text, json: () => JSON.parse(text) };
}

const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> => waitUntil(what, f, ms, () => log().slice(-3000));

// Asks as soon as the API lists the job: a job the API lists can be run (a 404 here was
// the race fixed in src/controller/actions.ts, catchUp).
const runNow = (name: string): Promise<string> =>
  until(`a manual run of ${name}`, async () => {
    if ((await api(`/v1/jobs/${name}`)).status !== 200) return undefined;
    const r = await api(`/v1/jobs/${name}/runs`, 'POST');
    expect(r.status, r.text).toBe(201);
    return r.json().id as string;
  });
const ended = (id: string) =>
  until(`run ${id} to end`, async () => {
    const run = (await api(`/v1/runs/${encodeURIComponent(id)}`)).json();
    return ['succeeded', 'failed', 'killed', 'timed_out', 'lost'].includes(run.state) ? run : undefined;
  });
const stdout = async (id: string) => (await api(`/v1/runs/${encodeURIComponent(id)}/logs?stream=stdout`)).json().data as string;

describe('Docker jobs and secrets through kairos serve (real dockerd)', () => {
  it('runs the Docker example against the local image: sandbox, user, secret as env and file', async () => {
    const id = await runNow('docker-report');
    const run = await ended(id);
    const stderr = (await api(`/v1/runs/${encodeURIComponent(id)}/logs?stream=stderr`)).text;
    expect(run.state, `${JSON.stringify(run)}\nstderr: ${stderr}`).toBe('succeeded');
    expect(await stdout(id)).toBe('report for yesterday as nobody in /mnt/mesos/sandbox\ncredentials delivered\n');
  });

  it('shows output through the logs API while the container runs; kill stops and removes it', async () => {
    const id = await runNow('docker-live');
    await until('live stdout', async () => ((await api(`/v1/runs/${encodeURIComponent(id)}`)).json().state === 'running' && (await stdout(id)) === 'first\n' ? true : undefined));
    expect((await api(`/v1/runs/${encodeURIComponent(id)}/logs?stream=stderr`)).json().data).toBe('to-stderr\n');
    const names = await docker.docker(['ps', '--format', '{{.Names}}']);
    expect(names).toMatch(/mesos-/);
    expect((await api(`/v1/runs/${encodeURIComponent(id)}/kill`, 'POST')).status).toBeLessThan(300);
    expect((await ended(id)).state).toBe('killed');
    await until('container removed', async () => ((await docker.docker(['ps', '-a', '--format', '{{.Names}}'])).includes(names.split('\n')[0]) ? undefined : true));
  }, 45_000);

  it('masks a secret a task prints, fails a run whose secret cannot be resolved, and leaks the value nowhere', async () => {
    const leaky = await runNow('leaky');
    expect((await ended(leaky)).state).toBe('succeeded');
    expect(await stdout(leaky)).toBe('pw=***\n***'); // the file holds the value without the newline
    const bad = await runNow('unresolvable');
    const run = await ended(bad);
    expect(run.state).toBe('failed');
    expect(JSON.stringify(run)).toMatch(/secret 'bi\/nope' not found in directory/);
    for (const path of ['/v1/jobs', '/v1/jobs/leaky', '/v1/jobs/leaky/runs', '/v1/jobs/docker-report', '/v1/plan', '/v1/cluster', '/v1/sync', '/metrics', '/v1/graph']) await api(path);
    expect(responses.filter((r) => r.includes(SECRET))).toEqual([]);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toContain(SECRET);
    expect(log()).toContain('launch refused');
    expect(log()).not.toContain(SECRET);
  });
});
