/**
 * The operator commands as users run them: real `kairos` processes against a running
 * controller (embedded master, real local agents) that requires a token. Judged by what
 * the controller then reports (a run killed, a job paused) and by what the task printed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/api-client.js';
import { printLogs } from '../../src/cli/logs.js';
import { compileServeConfig } from '../../src/config.js';
import type { Run } from '../../src/core/run.js';
import type { JobDetail, JobSummary } from '../../src/ports/controller.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { jobManifest } from '../support/job-manifest.js';
import { until } from './support.js';

const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TOKEN = 'operator-token-0123456789';

describe('kairos jobs / logs / kill / pause / resume / completion against a running controller', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-operate-'));
  let ctl: RunningController;

  /** Runs the CLI; `--server` and `--token` are added unless `auth` is false. */
  function kairos(args: string[], auth = true): Promise<{ code: number; stdout: string; stderr: string }> {
    const all = auth ? [...args, '--server', ctl.url, '--token', TOKEN] : args;
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', main, ...all], { encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  }
  async function get<T>(path: string): Promise<T> {
    const res = await fetch(ctl.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as T;
  }
  async function start(job: string): Promise<Run> {
    const res = await fetch(`${ctl.url}/v1/jobs/${job}/runs`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
    return (await res.json()) as Run;
  }

  beforeAll(async () => {
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests);
    writeFileSync(join(manifests, 'chatty.yaml'), jobManifest('chatty', undefined, 'echo out-1; echo err-1 >&2; sleep 1.5; echo out-2'));
    writeFileSync(join(manifests, 'big.yaml'), jobManifest('big', undefined, 'yes x | head -c 150000'));
    writeFileSync(join(manifests, 'sleeper.yaml'), jobManifest('sleeper', undefined, 'sleep 60').replace('retries:', 'killGracePeriodSeconds: 1\n  retries:'));
    writeFileSync(join(dir, 'tokens.yaml'), `tokens:\n  - { name: ops, role: operator, token: "${TOKEN}" }\n`);
    ctl = await startController(compileServeConfig({ source: manifests, store: 'memory', listen: '127.0.0.1:0', poll: '0', agents: '1', tokens: join(dir, 'tokens.yaml') }), {
      logger: silentLogger,
      embedded: { allocationIntervalMs: 100 },
    });
    await ctl.controller.whenReady();
  });
  afterAll(async () => {
    await ctl?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('jobs: a table, JSON, and exit 1 with the API message without a token', async () => {
    const table = await kairos(['jobs']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME +KIND +STATUS +SCHEDULE +NEXT RUN +LAST RUN$/);
    expect(table.stdout).toMatch(/^chatty +Job +idle +on demand/m);
    const json = await kairos(['jobs', '--output', 'json']);
    expect((JSON.parse(json.stdout) as JobSummary[]).map((j) => j.name)).toEqual(['big', 'chatty', 'sleeper']);
    const denied = await kairos(['jobs', '--server', ctl.url], false);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^kairos: .*token/i);
  });

  it('logs --follow prints stdout as the run writes it and returns when the run ends; --stream stderr', async () => {
    const run = await start('chatty');
    const followed = await kairos(['logs', run.id, '--follow']);
    expect([followed.code, followed.stdout, followed.stderr]).toEqual([0, 'out-1\nout-2\n', '']);
    expect((await get<Run>(`/v1/runs/${encodeURIComponent(run.id)}`)).state).toBe('succeeded');
    const err = await kairos(['logs', run.id, '--stream', 'stderr']);
    expect([err.code, err.stdout]).toEqual([0, 'err-1\n']);
    // In-process, to see *when* each piece arrives: out-1 is printed while the run still runs.
    const second = await start('chatty');
    const seen: { data: string; state: string }[] = [];
    const api = new ApiClient({ server: ctl.url, token: TOKEN }, {});
    await printLogs(api, { runId: second.id, stream: 'stdout', follow: true, pollMs: 100 }, (data) => {
      if (data) seen.push({ data, state: ctl.controller.view.run(second.id)!.state });
    });
    expect(seen.map((s) => s.data).join('')).toBe('out-1\nout-2\n');
    expect(seen[0]).toEqual({ data: 'out-1\n', state: 'running' });
    // More than two API pages (64 KiB each), stitched back together byte for byte.
    const big = await start('big');
    const bigOut = await kairos(['logs', big.id, '--follow']);
    expect([bigOut.code, bigOut.stdout.length, /^(x\n)+$/.test(bigOut.stdout)]).toEqual([0, 150_000, true]);
    const unknown = await kairos(['logs', 'chatty@manual-999']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'kairos: no run named "chatty@manual-999"\n']);
  });

  it('kill stops a running run; killing it again is refused', async () => {
    const run = await start('sleeper');
    await until('sleeper running', async () => ((await get<Run>(`/v1/runs/${encodeURIComponent(run.id)}`)).state === 'running' ? true : undefined));
    const killed = await kairos(['kill', run.id]);
    expect(killed.code).toBe(0);
    expect(killed.stdout).toContain(run.id);
    await until('sleeper killed', async () => ((await get<Run>(`/v1/runs/${encodeURIComponent(run.id)}`)).state === 'killed' ? true : undefined));
    const again = await kairos(['kill', run.id]);
    expect([again.code, again.stderr]).toEqual([1, `kairos: run ${run.id} already ended (killed)\n`]);
  });

  it('pause and resume change what the controller reports; an unknown job is exit 1', async () => {
    const paused = await kairos(['pause', 'chatty']);
    expect([paused.code, paused.stdout]).toEqual([0, 'chatty paused (status paused)\n']);
    expect((await get<JobDetail>('/v1/jobs/chatty')).paused).toBe(true);
    const resumed = await kairos(['resume', 'chatty']);
    expect(resumed.code).toBe(0);
    expect((await get<JobDetail>('/v1/jobs/chatty')).paused).toBe(false);
    const ghost = await kairos(['pause', 'ghost']);
    expect([ghost.code, ghost.stderr]).toEqual([1, 'kairos: no job named "ghost"\n']);
  });

  it('completion bash completes commands, options and import systems when sourced in bash', async () => {
    const script = (await kairos(['completion', 'bash'], false)).stdout;
    writeFileSync(join(dir, 'kairos.bash'), script);
    const complete = (words: string[]) =>
      new Promise<string>((resolve, reject) => {
        const line = `source ${join(dir, 'kairos.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kairos; echo "\${COMPREPLY[*]}"`;
        execFile('bash', ['-c', line], { encoding: 'utf8' }, (err, out) => (err ? reject(err) : resolve(out.trim())));
      });
    expect(await complete(['kairos', 'lo'])).toBe('logs');
    expect(await complete(['kairos', 'logs', '--f'])).toBe('--follow');
    expect(await complete(['kairos', 'import', 'me'])).toBe('metronome');
    expect(await complete(['kairos', 'p'])).toBe('pause');
    const zsh = (await kairos(['completion', 'zsh'], false)).stdout;
    expect(zsh.split('\n')[0]).toBe('#compdef kairos');
    for (const c of ['jobs', 'logs', 'kill', 'pause', 'resume', 'import']) expect(zsh).toContain(`    ${c}) _values`);
  });
});
