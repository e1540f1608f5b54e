/**
 * Two embedded Mesos clusters behind one controller (`--cluster dc1=embedded --cluster
 * dc2=embedded`), each with one local agent running real processes. Judged by side
 * effects: every task appends `<scheduled instant> <task id> <cwd>` to a marker file, so
 * "ran once" is one line per instant, and "ran on dc2" is a cwd inside a sandbox of dc2's
 * agent. dc1 first stops offering (runs queued there starve and move to dc2), then loses
 * its master (503 to every call, stream cut): new runs go to dc2, and when the master
 * comes back the tasks still running there report their end. A job restricted to dc2
 * never runs on dc1, one restricted to dc1 never on dc2.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import type { Run } from '../../src/core/run.js';
import { isTerminalRun } from '../../src/core/types.js';
import { streamLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { jobYaml } from '../fixtures/manifests/index.js';

function job(name: string, marker: string, start: string, clusters?: string[]): string {
  const shell = `echo "$KAIROS_SCHEDULED_AT $MESOS_TASK_ID $PWD" >> ${marker}; sleep 0.3`;
  const spec = [
    `schedule: { iso8601: "R/${start}/PT1S" }`,
    'concurrencyPolicy: Allow',
    'history: { succeeded: 500, failed: 500 }',
    `command: { shell: ${JSON.stringify(shell)} }`,
    'resources: { cpus: 0.05, mem: 16 }',
    ...(clusters ? [`clusters: [${clusters.join(', ')}]`] : []),
  ];
  return jobYaml(name, spec.join('\n'));
}

describe('several clusters (two embedded masters)', () => {
  let dir: string;
  let running: RunningController;
  const log: string[] = [];
  const marks = (name: string) => {
    const f = join(dir, `${name}.marks`);
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')) : [];
  };
  const runsOf = (name: string) => running.controller.view.runs(name, { limit: 10_000 }) ?? [];
  const until = async (what: string, ok: () => boolean, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const clusterOf = (r: Run) => r.attempts.at(-1)?.cluster;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kairos-clusters-'));
    const src = join(dir, 'jobs');
    const start = new Date(Date.now() + 3000).toISOString().replace(/\.\d+Z$/, 'Z');
    mkdirSync(src);
    writeFileSync(join(src, 'any.yaml'), job('any', join(dir, 'any.marks'), start));
    writeFileSync(join(src, 'east.yaml'), job('east', join(dir, 'east.marks'), start, ['dc2']));
    writeFileSync(join(src, 'west.yaml'), job('west', join(dir, 'west.marks'), start, ['dc1']));
    const config = compileServeConfig({ source: src, store: 'memory', cluster: ['dc1=embedded', 'dc2=embedded'], clusterMoveAfter: '2s', listen: '127.0.0.1:0', agents: '1', poll: '1s' }, {});
    running = await startController(config, {
      logger: streamLogger((l) => void log.push(l), { level: 'info' }),
      embedded: { statusRetryMs: 500, heartbeatIntervalMs: 1000, localResources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31010]' },
    });
    await running.controller.whenReady();
  }, 60_000);

  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs move off a starving cluster and off one that lost its master; every instant runs once; restricted jobs stay home', async () => {
    const dc1 = running.clusters.get('dc1')!;
    const dc2 = running.clusters.get('dc2')!;
    await until('runs on dc1', () => runsOf('any').some((r) => r.state === 'succeeded' && clusterOf(r) === 'dc1'));

    // dc1 stops offering: runs it was given wait there, then move to dc2.
    dc1.faults.stopOffering();
    await until('a run moved off the starving dc1', () => log.some((l) => l.includes('run moves to another cluster') && l.includes(' from=dc1 ')), 20_000);
    dc1.faults.resumeOffering();
    const back = Date.now();
    await until('runs on dc1 again', () => runsOf('any').some((r) => clusterOf(r) === 'dc1' && r.scheduledAt > back));

    // dc1 loses its master: new runs go to dc2 meanwhile; then it comes back.
    dc1.setLeadership({ kind: 'none' });
    dc1.faults.dropStream();
    const lost = Date.now();
    await until('runs on dc2 while dc1 has no master', () => runsOf('any').filter((r) => r.state === 'succeeded' && clusterOf(r) === 'dc2' && r.scheduledAt > lost).length >= 2);
    expect(running.controller.view.cluster().clusters?.map((c) => [c.name, c.connected])).toEqual([['dc1', false], ['dc2', true]]);
    dc1.setLeadership({ kind: 'leader' });
    const end = Date.now();
    await until('dc1 back', () => running.controller.view.cluster().clusters?.[0].connected === true);

    // Every instant due before `end` ends, succeeded, with exactly one side effect.
    for (const name of ['any', 'east', 'west']) {
      await until(`${name}: runs before the end finished`, () => runsOf(name).filter((r) => r.scheduledAt < end).every((r) => isTerminalRun(r.state)), 30_000);
    }
    const instant = (r: Run) => new Date(r.scheduledAt).toISOString();
    for (const name of ['any', 'east', 'west']) {
      const byInstant = new Map<string, string[][]>();
      for (const m of marks(name)) byInstant.set(m[0], [...(byInstant.get(m[0]) ?? []), m]);
      const dup = [...byInstant.values()].filter((ms) => ms.length > 1);
      expect(dup, `${name}: instants that ran twice`).toEqual([]);
      const done = runsOf(name).filter((r) => r.scheduledAt < end);
      expect(done.length).toBeGreaterThan(3);
      for (const r of done) {
        expect(r.state, `${r.id}`).toBe('succeeded');
        expect(byInstant.get(instant(r)), `${r.id}: one side effect`).toHaveLength(1);
      }
    }
    // Where each task ran, by its working directory: a sandbox of that cluster's agent.
    const before = (name: string) => marks(name).filter((m) => Date.parse(m[0]) < end);
    const ranOn = (m: string[]) => (dc1.agents[0].sandbox(m[1]) === m[2] ? 'dc1' : dc2.agents[0].sandbox(m[1]) === m[2] ? 'dc2' : 'unknown');
    expect(new Set(before('east').map(ranOn))).toEqual(new Set(['dc2']));
    expect(new Set(before('west').map(ranOn))).toEqual(new Set(['dc1']));
    expect(new Set(before('any').map(ranOn))).toEqual(new Set(['dc1', 'dc2']));
    // The intent recorded the cluster each one went to.
    for (const r of runsOf('any').filter((x) => x.state === 'succeeded' && x.scheduledAt < end)) {
      const m = marks('any').find((x) => x[0] === instant(r))!;
      expect(clusterOf(r)).toBe(ranOn(m));
    }
  }, 120_000);
});
