import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControllerState } from '../../../src/controller/state.js';
import { planView, syncPass, type SyncPassDeps } from '../../../src/controller/sync-pass.js';
import { ManifestError } from '../../../src/core/errors.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobManifest } from '../../support/job-manifest.js';

const job = (name: string, cron: string) => jobManifest(name, cron, `echo ${name}`);

describe('syncPass', () => {
  let dir: string;
  let deps: SyncPassDeps;
  let clock: FakeClock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-sync-'));
    clock = new FakeClock('2026-03-08T07:00:00Z');
    const store = new MemoryStore();
    deps = { source: new DirectorySource(dir), store, state: new ControllerState(store), clock, prune: true, allowMassPrune: true };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('applies a valid revision and records it as applied', async () => {
    await writeFile(join(dir, 'a.yaml'), job('a', '* * * * *'));
    const plan = await syncPass(deps);
    expect(plan.summary.create).toBe(1);
    expect([...deps.state.applied.keys()]).toEqual(['a']);
    expect(deps.state.sync).toMatchObject({ result: 'ok', appliedRevision: plan.revision, appliedAt: clock.now(), problems: [] });
  });

  it('keeps each applied document as written in git, also after the file around it changed', async () => {
    await writeFile(join(dir, 'two.yaml'), `# two jobs\n${job('a', '* * * * *')}---\n${job('b', '0 * * * *')}`);
    const first = await syncPass(deps);
    expect(deps.state.applied.get('a')!.manifest).toBe(job('a', '* * * * *'));
    expect(deps.state.applied.get('b')!.manifest).toBe(job('b', '0 * * * *'));
    // A job inserted above moves b down; b is unchanged, so its applied text, line and
    // revision stay those of the first revision, and they still agree with each other.
    await writeFile(join(dir, 'two.yaml'), `${job('c', '5 * * * *')}---\n# two jobs\n${job('a', '* * * * *')}---\n${job('b', '0 * * * *')}`);
    await syncPass(deps);
    const b = deps.state.applied.get('b')!;
    expect(b).toMatchObject({ revision: first.revision, manifest: job('b', '0 * * * *') });
    expect(deps.state.applied.get('c')!.manifest).toBe(job('c', '5 * * * *'));
    // A restarted controller reads the text back from the store.
    const reloaded = new ControllerState(deps.store);
    await reloaded.load();
    expect(reloaded.applied.get('b')!.manifest).toBe(job('b', '0 * * * *'));
  });

  it('a broken manifest changes nothing: the last good revision stays applied and the problem names file:line', async () => {
    await writeFile(join(dir, 'a.yaml'), job('a', '* * * * *'));
    const good = await syncPass(deps);
    clock.advance(60_000);
    await writeFile(join(dir, 'a.yaml'), job('a', '* * * * *').replace('cron:', 'cronn:'));
    const err = await syncPass(deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect(deps.state.applied.get('a')!.revision).toBe(good.revision);
    expect(deps.state.sync).toMatchObject({ result: 'failed', appliedRevision: good.revision, appliedAt: clock.now() - 60_000 });
    expect(deps.state.sync.lastRevision).not.toBe(good.revision);
    expect(deps.state.sync.problems[0]).toMatchObject({ file: 'a.yaml', line: 7 });
    const view = await planView(deps);
    expect(view.problems.length).toBeGreaterThan(0);
    expect(view.changes).toEqual([]);
  });

  it('prunes a deleted file and updates a changed one; the dry-run view shows the change first', async () => {
    await writeFile(join(dir, 'a.yaml'), job('a', '* * * * *'));
    await writeFile(join(dir, 'b.yaml'), job('b', '0 * * * *'));
    await writeFile(join(dir, 'c.yaml'), job('c', '0 * * * *'));
    await syncPass(deps);
    await unlink(join(dir, 'b.yaml'));
    await writeFile(join(dir, 'a.yaml'), job('a', '*/5 * * * *'));
    const view = await planView(deps);
    expect(view.changes).toEqual([
      { action: 'update', kind: 'Job', name: 'a', fields: ['spec.schedule.expression'] },
      { action: 'prune', kind: 'Job', name: 'b', fields: [] },
    ]);
    await syncPass(deps);
    expect([...deps.state.applied.keys()].sort()).toEqual(['a', 'c']);
    expect(deps.state.applied.get('a')!.resource.spec.schedule).toMatchObject({ expression: '*/5 * * * *' });
  });
});
