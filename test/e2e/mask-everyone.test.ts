/**
 * Masking for every caller, through a real `kairos serve` process (embedded master, file
 * store, `--tokens`): a viewer reading a run's log, a job's manifest or an error never sees
 * another user's token, the webhook secret or the store/Mesos URL credentials; a secret run
 * override (`secretEnv`) reaches the task (its marker file holds the value) while the run
 * record shows only its name, the logs show `***`, and the store file and the controller's
 * log never hold the value.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobYaml as job } from '../fixtures/manifests/index.js';
import { signalProcess } from '../support/ha-cluster.js';
import { serveLogged, until as waitUntil, type LoggedServe } from './support.js';

const ADMIN = 'admin-token-5d1e8c7b2a';
const VIEWER = 'viewer-token-93f0a6d4e1';
const OPERATOR = 'operator-token-c47b19e2f8';
const WEBHOOK = 'webhook-secret-6a2f9d1c';
const OVERRIDE = 'override-value-b81c5e0f';
const ALL = [ADMIN, VIEWER, OPERATOR, WEBHOOK, OVERRIDE];

const dir = mkdtempSync(join(tmpdir(), 'kairos-mask-e2e-'));
const marker = join(dir, 'marker');
const responses: string[] = [];
let served: LoggedServe | undefined;
const log = (): string => served?.log() ?? '';
let url = '';

beforeAll(async () => {
  mkdirSync(join(dir, 'jobs'));
  writeFileSync(join(dir, 'tokens.yaml'), `tokens:\n  - { name: root, role: admin, token: ${ADMIN} }\n  - { name: ci, role: operator, token: ${OPERATOR} }\n  - { name: eve, role: viewer, token: ${VIEWER} }\n`);
  writeFileSync(
    join(dir, 'jobs/jobs.yaml'),
    [
      // Someone pasted the admin token into a manifest: the manifest and the output hide it.
      job('careless', `command: { shell: 'echo "calling with ${ADMIN}"; echo "hook ${WEBHOOK}"' }\nresources: { cpus: 0.1, mem: 32 }`),
      job('keyed', `command: { shell: 'printf %s "$API_KEY" > ${marker}; echo "key=$API_KEY mode=$MODE"' }\noverrides: { env: [API_KEY, MODE] }\nretries: { count: 0 }\nresources: { cpus: 0.1, mem: 32 }`),
    ].join('---\n'),
  );
  const args = ['--source', join(dir, 'jobs'), '--store', `file:${join(dir, 'state.json')}`, '--tokens', join(dir, 'tokens.yaml'), '--listen', '127.0.0.1:0', '--agents', '1', '--log-level', 'debug', '--poll', '0'];
  served = await serveLogged(args, { KAIROS_WEBHOOK_SECRET: WEBHOOK });
  url = served.url;
}, 60_000);

afterAll(async () => {
  if (served) await signalProcess(served.proc, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Calls the API as `token`, keeping every raw response for the final leak check. */
async function call(token: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: () => any }> {
  const init: RequestInit = { headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) } };
  if (body !== undefined) Object.assign(init, { method: 'POST', body: JSON.stringify(body) });
  const res = await fetch(url + path, init);
  const text = await res.text();
  const headers: string[] = [];
  res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  responses.push(`${res.status} ${headers.join('\n')} ${text}`); // not the path: it holds a token on purpose once
  return { status: res.status, text, json: () => JSON.parse(text) };
}

const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> => waitUntil(what, f, ms, () => log().slice(-3000));

const runNow = (name: string, body: unknown = {}): Promise<string> =>
  until(`a manual run of ${name}`, async () => {
    if ((await call(VIEWER, `/v1/jobs/${name}`)).status !== 200) return undefined;
    const r = await call(OPERATOR, `/v1/jobs/${name}/runs`, body);
    expect(r.status, r.text).toBe(201);
    return r.json().id as string;
  });
const ended = (id: string) =>
  until(`run ${id} to end`, async () => {
    const run = (await call(VIEWER, `/v1/runs/${encodeURIComponent(id)}`)).json();
    return ['succeeded', 'failed', 'killed', 'timed_out', 'lost'].includes(run.state) ? run : undefined;
  });
const stdout = async (id: string, token = VIEWER) => (await call(token, `/v1/runs/${encodeURIComponent(id)}/logs?stream=stdout`)).json().data as string;

describe('every token and secret is masked for every caller', () => {
  it("a viewer reads neither the admin's token nor the webhook secret, in the job or in its log", async () => {
    const id = await runNow('careless');
    expect((await ended(id)).state).toBe('succeeded');
    expect(await stdout(id)).toBe('calling with ***\nhook ***\n');
    expect(await stdout(id, ADMIN)).toBe('calling with ***\nhook ***\n');
    const jobView = await call(VIEWER, '/v1/jobs/careless');
    expect(jobView.status).toBe(200);
    expect(jobView.text).toContain('calling with ***');
    // An error quoting a token (here: pasted into the path) hides it too.
    expect((await call(VIEWER, `/v1/jobs/${ADMIN}`)).status).toBe(404);
  });

  it('delivers a secret override to the task, stores only its name and shows *** in its log', async () => {
    const id = await runNow('keyed', { env: { MODE: 'full' }, secretEnv: { API_KEY: OVERRIDE } });
    const run = await ended(id);
    expect(run.state, JSON.stringify(run)).toBe('succeeded');
    expect(readFileSync(marker, 'utf8')).toBe(OVERRIDE); // the task had the value
    expect(run.overrides).toEqual({ env: { MODE: 'full' }, secretEnv: ['API_KEY'] });
    expect(await stdout(id)).toBe('key=*** mode=full\n');
  });

  it('refuses a secret override the job does not allow, naming the field', async () => {
    const r = await call(OPERATOR, '/v1/jobs/careless/runs', { secretEnv: { API_KEY: OVERRIDE } });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/env API_KEY: job careless allows no env overrides/);
    const bad = await call(OPERATOR, '/v1/jobs/keyed/runs', { secretEnv: { API_KEY: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/secretEnv\.API_KEY/);
  });

  it('leaks no value anywhere: responses to anyone, the store file, the log', async () => {
    for (const path of ['/v1/jobs', '/v1/jobs/keyed', '/v1/jobs/keyed/runs', '/v1/jobs/careless/runs', '/v1/plan', '/v1/sync', '/v1/graph', '/v1/cluster']) {
      await call(VIEWER, path);
      await call(ADMIN, path);
    }
    const leaks = responses.filter((r) => ALL.some((s) => r.includes(s)));
    expect(leaks).toEqual([]);
    // The applied manifest of `careless` holds the admin token and the webhook secret as
    // git does (the store mirrors the commit); every value the controller itself received is absent.
    const state = readFileSync(join(dir, 'state.json'), 'utf8');
    expect([VIEWER, OPERATOR, OVERRIDE].filter((s) => state.includes(s))).toEqual([]);
    expect(ALL.filter((s) => log().includes(s))).toEqual([]);
  });
});
