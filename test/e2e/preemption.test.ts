/**
 * Preemption end to end: a real `kairos serve` with the embedded master and ONE small
 * local agent (`--agent-resources "cpus:2;mem:2048"`). A low-priority preemptible job holds
 * the whole agent; a high-priority job arrives. Judged by what the tasks did (marker files
 * they append to), then by the records: the high task runs within its grace plus the low
 * task's kill grace (plus the loop's fixed latencies, below), the low run is requeued under
 * the same run id, runs again after the high one and finishes; nothing is counted failed.
 * The first low task ignores SIGTERM (a trap), so the test also shows the kill grace is its own.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/core/run.js';
import type { JobSummary } from '../../src/ports/controller.js';
import { api, exited, serve, until } from './support.js';

const GRACE_S = 2;
const KILL_GRACE_S = 2;
/**
 * What the loop adds on top of the two graces: the preemption poll (1 s), the status of the
 * kill, one allocation interval of the embedded master (1 s) and the decline filter on the
 * agent (1 s), a process start; on a loaded 2-core machine, with room to spare.
 */
const LOOP_SLACK_S = 6;

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

function manifest(name: string, spec: string): string {
  return `apiVersion: kairos/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

describe('preemption on an embedded master with one small agent', () => {
  let dir: string;
  let marks: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-preempt-'));
    marks = join(dir, 'marks');
    const src = join(dir, 'jobs');
    for (const d of [marks, src]) mkdirSync(d, { recursive: true });
    writeFileSync(
      join(src, 'low.yaml'),
      manifest('low', `  command:\n    shell: "echo low start $KAIROS_ATTEMPT >> ${marks}/log; if [ $KAIROS_ATTEMPT = 1 ]; then trap 'echo low term >> ${marks}/log' TERM; while true; do sleep 0.2; done; fi; sleep 1; echo low done $KAIROS_ATTEMPT >> ${marks}/log"\n  resources: { cpus: 2, mem: 256 }\n  priority: 0\n  preemptible: true\n  killGracePeriodSeconds: ${KILL_GRACE_S}\n  retries: { count: 0 }\n`),
    );
    writeFileSync(
      join(src, 'high.yaml'),
      manifest('high', `  command:\n    shell: "echo high ran >> ${marks}/log"\n  resources: { cpus: 1, mem: 128 }\n  priority: 100\n  preemption: { afterSeconds: ${GRACE_S} }\n  retries: { count: 0 }\n`),
    );
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the high run starts within grace + kill grace, the low one is requeued and finishes later, nothing failed', async () => {
    const s = await serve(['--source', join(dir, 'jobs'), '--store', `file:${join(dir, 'state', 'state.json')}`, '--listen', '127.0.0.1:0', '--agents', '1', '--agent-resources', 'cpus:2;mem:2048', '--preemption-after', 'off', '--poll', '1s']);
    child = s.child;
    const url = s.url;
    await until('both jobs applied', async () => ((await api<JobSummary[]>(url, 'GET', '/v1/jobs')).body.length === 2 ? true : undefined));

    const low = (await api<Run>(url, 'POST', '/v1/jobs/low/runs', {})).body;
    const log = () => lines(join(marks, 'log'));
    await until('the low task started', async () => (log().length === 1 ? true : undefined));
    const highAt = Date.now();
    const high = (await api<Run>(url, 'POST', '/v1/jobs/high/runs', {})).body;
    // Without preemption it would wait for the low task's 60 s.
    await until('the high task ran', async () => (log().includes('high ran') ? true : undefined), 30_000);
    const waited = (Date.now() - highAt) / 1000;
    console.log(`high task ran ${waited.toFixed(1)} s after its run was asked for (grace ${GRACE_S} s + kill grace ${KILL_GRACE_S} s)`);
    // It waited for its grace (nothing fit) and for the victim's kill grace (the first low
    // task shrugs SIGTERM off, so only SIGKILL after the grace frees the agent), not much longer.
    expect(waited).toBeGreaterThanOrEqual(GRACE_S + KILL_GRACE_S);
    expect(waited).toBeLessThan(GRACE_S + KILL_GRACE_S + LOOP_SLACK_S);
    // The preempted task never finished its work; the low run starts again after the high one.
    await until('the low task finished on its second start', async () => (log().includes('low done 2') ? true : undefined), 30_000);
    expect(log()).toEqual(['low start 1', 'low term', 'high ran', 'low start 2', 'low done 2']);

    const lowRun = await until('the low run recorded succeeded', async () => {
      const r = (await api<Run>(url, 'GET', `/v1/runs/${encodeURIComponent(low.id)}`)).body;
      return r.state === 'succeeded' ? r : undefined;
    });
    expect(lowRun.attempts.map((a) => ({ n: a.n, outcome: a.outcome, preemptedBy: a.preemptedBy }))).toEqual([
      { n: 1, outcome: 'killed', preemptedBy: high.id },
      { n: 2, outcome: 'succeeded', preemptedBy: undefined },
    ]);
    const highRun = (await api<Run>(url, 'GET', `/v1/runs/${encodeURIComponent(high.id)}`)).body;
    expect(highRun).toMatchObject({ state: 'succeeded' });
    expect(highRun.attempts).toHaveLength(1);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^kairos_preemptions_total\{job="low"\} 1$/m);
    expect(metrics).not.toMatch(/^kairos_runs_total\{outcome="failed"\}/m);
    expect(metrics).toMatch(/^kairos_runs_total\{outcome="succeeded"\} 2$/m);

    s.child.kill('SIGTERM');
    expect(await exited(s.child)).toBe(0);
    child = undefined;
  }, 90_000);
});
