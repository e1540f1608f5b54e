import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunLedger } from '../../../src/controller/run-ledger.js';
import { ControllerState } from '../../../src/controller/state.js';
import { StateView } from '../../../src/controller/view.js';
import type { Run } from '../../../src/core/run.js';
import type { AppliedResource } from '../../../src/core/types.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobManifest } from '../../support/job-manifest.js';
import { RecordingFramework } from './recording-framework.js';

const T0 = Date.parse('2026-03-08T07:00:30Z');

const dag = `apiVersion: kairos/v1
kind: DAG
metadata:
  name: video
spec:
  tasks:
    - { name: split, template: { command: { shell: "true" } } }
    - { name: encode, dependsOn: [split], template: { command: { shell: "true" } } }
`;

/** Applied resources compiled from manifest text by the real loader. */
function applied(files: Record<string, string>): AppliedResource[] {
  const snapshot = { revision: 'r1', files: Object.entries(files).map(([path, text]) => ({ path, content: Buffer.from(text) })), problems: [] };
  return loadDesired(snapshot).resources.map((resource) => ({ resource, revision: 'r1', appliedAt: T0 }));
}

async function view(resources: AppliedResource[], runs: Run[]) {
  const store = new MemoryStore();
  const state = new ControllerState(store);
  for (const a of resources) state.applied.set(a.resource.metadata.name, a);
  const ledger = new RunLedger(store);
  for (const r of runs) await ledger.create(r);
  const v = new StateView({ state, ledger, framework: new RecordingFramework(), clock: new FakeClock(T0), source: 'dir:x', plan: async () => { throw new Error('unused'); } });
  return { v, state };
}

const run = (id: string, extra: Partial<Run>): Run => ({
  id,
  job: id.slice(0, id.indexOf('@')),
  trigger: 'schedule',
  scheduledAt: T0,
  revision: 'r1',
  state: 'succeeded',
  attempts: [],
  createdAt: T0,
  ...extra,
});

describe('StateView', () => {
  let sandbox: string | undefined;
  afterEach(() => sandbox && rm(sandbox, { recursive: true, force: true }));

  it('draws jobs, parents and DAG tasks, coloured by their latest run', async () => {
    const res = applied({
      'a.yaml': jobManifest('parent', '* * * * *', 'true'),
      'b.yaml': jobManifest('child', undefined, 'true').replace('spec:\n', 'spec:\n  after: [parent]\n'),
      'c.yaml': dag,
    });
    const { v } = await view(res, [run('video@1', { state: 'running' }), run('video@1/split', { job: 'video', task: 'split', dagRunId: 'video@1' })]);
    const g = v.graph();
    expect(g.nodes.map((n) => [n.id, n.kind, n.state ?? '-'])).toEqual([
      ['parent', 'job', '-'],
      ['child', 'job', '-'],
      ['video', 'dag', 'running'],
      ['video/split', 'task', 'succeeded'],
      ['video/encode', 'task', '-'],
    ]);
    expect(g.edges).toEqual([
      { from: 'parent', to: 'child', kind: 'after' },
      { from: 'video/split', to: 'video/encode', kind: 'dependsOn' },
    ]);
    expect(v.run('video@1')!.children.map((c) => c.id)).toEqual(['video@1/split']);
    expect(v.jobs().find((j) => j.name === 'video')!.status).toBe('running');
    expect(v.jobs().find((j) => j.name === 'child')).toMatchObject({ after: ['parent'], nextRunAt: undefined });
  });

  it('reads a run attempt’s sandbox file with offset paging, and says when no sandbox is known', async () => {
    sandbox = await mkdtemp(join(tmpdir(), 'kairos-sandbox-'));
    await writeFile(join(sandbox, 'stdout'), 'hello world\n');
    const attempt = { n: 1, taskId: 't1', intentAt: T0, notBefore: T0, agentId: 'a1' };
    const { v } = await view([], [run('x@1', { attempts: [{ ...attempt, sandbox }] }), run('y@1', { attempts: [attempt] }), run('z@1', {})]);
    expect(await v.logs('x@1', 'stdout', { offset: 6 })).toEqual({ attempt: 1, offset: 6, data: 'world\n', size: 12 });
    expect(await v.logs('x@1', 'stderr')).toEqual({ attempt: 1, offset: 0, data: '', size: 0 });
    await expect(v.logs('y@1', 'stdout')).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(await v.logs('z@1', 'stdout')).toBeUndefined();
    expect(await v.logs('nope', 'stdout')).toBeUndefined();
  });

  it('a pause shows as the job status and as drift; a suspended job is suspended, with no next runs', async () => {
    const res = applied({ 'a.yaml': jobManifest('a', '* * * * *', 'true'), 'b.yaml': jobManifest('b', '* * * * *', 'true').replace('spec:\n', 'spec:\n  suspend: true\n') });
    const { v, state } = await view(res, []);
    await state.setPaused('a', true, T0);
    expect(v.job('a')).toMatchObject({ status: 'paused', paused: true, nextRuns: [], drift: [{ job: 'a', field: 'paused', desired: false, live: true, since: T0 }] });
    expect(v.job('b')).toMatchObject({ status: 'suspended', nextRuns: [] });
    await state.setPaused('a', false, T0);
    expect(v.job('a')!.nextRuns[0]).toBe(Date.parse('2026-03-08T07:01:00Z'));
    expect(v.runs('unknown')).toBeUndefined();
  });
});
