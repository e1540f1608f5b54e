import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLedger } from '../../../src/controller/run-ledger.js';
import { ControllerState } from '../../../src/controller/state.js';
import { syncPass, type SyncPassDeps } from '../../../src/controller/sync-pass.js';
import { StateView } from '../../../src/controller/view.js';
import type { AppliedResource } from '../../../src/core/types.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobManifest } from '../../support/job-manifest.js';
import { RecordingFramework } from './recording-framework.js';

const job = (name: string, cron: string) => jobManifest(name, cron, `echo ${name}`);

// Drift is everything live that disagrees with git: a pause, a head that cannot be
// applied, applied state edited behind the controller's back, a removal not pruned.
describe('drift in /v1/sync', () => {
  let dir: string;
  let deps: SyncPassDeps;
  let clock: FakeClock;
  let store: MemoryStore;
  let view: StateView;
  const sync = () => syncPass(deps).catch((e: unknown) => e);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-drift-'));
    clock = new FakeClock('2026-03-08T07:00:00Z');
    store = new MemoryStore();
    const state = new ControllerState(store);
    deps = { source: new DirectorySource(dir), store, state, clock, prune: true, allowMassPrune: true };
    view = new StateView({ state, ledger: new RunLedger(store), framework: new RecordingFramework(), clock, source: `dir:${dir}`, plan: async () => { throw new Error('unused'); } });
    await writeFile(join(dir, 'a.yaml'), job('a', '* * * * *'));
    await writeFile(join(dir, 'b.yaml'), job('b', '0 * * * *'));
    await syncPass(deps);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('shows none right after a successful sync', () => {
    expect(view.sync().drift).toEqual([]);
  });

  it('a head that keeps failing is revision drift dated from the first failure, gone once it applies', async () => {
    const applied = deps.state.sync.appliedRevision;
    clock.advance(60_000);
    const firstFailure = clock.now();
    await writeFile(join(dir, 'a.yaml'), job('a', '* * * * *').replace('cron:', 'cronn:'));
    await sync();
    clock.advance(60_000);
    await sync();
    const head = deps.state.sync.lastRevision;
    expect(head).not.toBe(applied);
    expect(view.sync()).toMatchObject({ result: 'failed', failingSince: firstFailure });
    expect(view.sync().drift).toEqual([{ job: '*', field: 'revision', desired: head, live: applied, since: firstFailure }]);
    await writeFile(join(dir, 'a.yaml'), job('a', '*/2 * * * *'));
    await syncPass(deps);
    expect(view.sync().drift).toEqual([]);
    expect(view.sync().failingSince).toBeUndefined();
  });

  it('applied state edited outside git shows per field while the head fails; a good sync reverts it', async () => {
    const a = (await store.get<AppliedResource>('resources/a'))!.value;
    const edited = { ...a, resource: { ...a.resource, spec: { ...a.resource.spec, schedule: { kind: 'cron', expression: '*/7 * * * *', timeZone: 'UTC' } } } };
    await store.put('resources/a', edited);
    await store.put('resources/z', { ...a, resource: { ...a.resource, metadata: { ...a.resource.metadata, name: 'z' } } });
    await store.delete('resources/b');
    await writeFile(join(dir, 'b.yaml'), 'kind: [');
    clock.advance(30_000);
    await sync();
    const drift = view.sync().drift.filter((d) => d.job !== '*');
    expect(drift).toEqual([
      { job: 'a', field: 'spec.schedule.expression', desired: '* * * * *', live: '*/7 * * * *', since: clock.now() },
      { job: 'b', field: 'exists', desired: true, live: false, since: clock.now() },
      { job: 'z', field: 'exists', desired: false, live: true, since: clock.now() },
    ]);
    clock.advance(30_000);
    await sync();
    expect(view.sync().drift.find((d) => d.job === 'a')!.since).toBe(clock.now() - 30_000);

    await writeFile(join(dir, 'b.yaml'), job('b', '0 * * * *'));
    await syncPass(deps);
    expect(view.sync().drift).toEqual([]);
    expect((await store.get<AppliedResource>('resources/a'))!.value.resource.spec.schedule!.expression).toBe('* * * * *');
    expect(await store.get('resources/z')).toBeUndefined();
  });

  it('a job removed from git but kept because pruning is off is drift; a pause is drift on its job', async () => {
    deps.prune = false;
    await unlink(join(dir, 'b.yaml'));
    await syncPass(deps);
    await deps.state.setPaused('a', true, clock.now());
    expect(view.sync().drift).toEqual([
      { job: 'b', field: 'exists', desired: false, live: true, since: clock.now() },
      { job: 'a', field: 'paused', desired: false, live: true, since: clock.now() },
    ]);
    expect(view.job('b')!.drift).toEqual([expect.objectContaining({ field: 'exists' })]);
  });
});
