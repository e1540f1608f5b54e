import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../src/core/errors.js';
import type { AppliedResource } from '../../../src/core/types.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { applyPlan, loadApplied } from '../../../src/plan/apply.js';
import { StoreLayout } from '../../../src/store/layout.js';
import { plan } from '../../../src/plan/plan.js';
import { hasChanges } from '../../../src/plan/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

const clock = new FakeClock('2026-05-01T00:00:00Z');
const v1 = { 'a.yaml': jobYaml('a'), 'b.yaml': jobYaml('b'), 'c.yaml': jobYaml('c') };

async function reconcileOnce(store: MemoryStore, files: Record<string, string>, commit: string, prune = false) {
  const p = plan(loadDesired(snapshotOf(files, commit)), await loadApplied(store), { now: clock.now(), prune });
  await applyPlan(store, p, clock.now());
  return p;
}

describe('loadApplied / applyPlan', () => {
  it('starts empty, applies creates and records the revision; the same commit then plans in sync', async () => {
    const store = new MemoryStore();
    expect(await loadApplied(store)).toEqual({ resources: [], versions: {} });
    await reconcileOnce(store, v1, 'c1');
    const applied = await loadApplied(store);
    expect(applied.revision).toBe('c1');
    expect(applied.resources.map((r) => [r.resource.metadata.name, r.revision, r.appliedAt])).toEqual([
      ['a', 'c1', clock.now()],
      ['b', 'c1', clock.now()],
      ['c', 'c1', clock.now()],
    ]);
    expect(applied.versions).toEqual({ a: 0, b: 0, c: 0 });
    expect((await new StoreLayout(store).appliedMeta.get())?.value).toEqual({ revision: 'c1', appliedAt: clock.now() });
    const again = plan(loadDesired(snapshotOf(v1, 'c1')), applied, { now: clock.now() });
    expect(hasChanges(again)).toBe(false);
  });

  it('updates changed resources only, and prunes with prune', async () => {
    const store = new MemoryStore();
    await reconcileOnce(store, v1, 'c1');
    clock.advance(60_000);
    await reconcileOnce(store, { ...v1, 'a.yaml': jobYaml('a', 'command: { shell: changed }') }, 'c2');
    let applied = await loadApplied(store);
    expect(applied.versions).toEqual({ a: 1, b: 0, c: 0 });
    expect(applied.resources.find((r) => r.resource.metadata.name === 'a')?.revision).toBe('c2');
    expect(applied.resources.find((r) => r.resource.metadata.name === 'b')?.revision).toBe('c1');
    await reconcileOnce(store, { 'a.yaml': jobYaml('a', 'command: { shell: changed }'), 'b.yaml': v1['b.yaml'] }, 'c3');
    expect((await loadApplied(store)).resources).toHaveLength(3); // no --prune: kept
    await reconcileOnce(store, { 'a.yaml': jobYaml('a', 'command: { shell: changed }'), 'b.yaml': v1['b.yaml'] }, 'c3', true);
    applied = await loadApplied(store);
    expect(applied.resources.map((r) => r.resource.metadata.name)).toEqual(['a', 'b']);
    expect(applied.revision).toBe('c3');
  });

  it('fails with ConflictError and writes nothing when the store changed after planning', async () => {
    const store = new MemoryStore();
    await reconcileOnce(store, v1, 'c1');
    const p = plan(loadDesired(snapshotOf({ ...v1, 'a.yaml': jobYaml('a', 'command: { shell: new }') }, 'c2')), await loadApplied(store), { now: clock.now() });
    // someone else writes `a` in between
    const other = (await store.get<AppliedResource>('resources/a'))!;
    await store.put('resources/a', { ...other.value, revision: 'other' }, other.version);
    await expect(applyPlan(store, p, clock.now())).rejects.toBeInstanceOf(ConflictError);
    expect((await loadApplied(store)).revision).toBe('c1');
    expect((await store.get<AppliedResource>('resources/a'))?.value.revision).toBe('other');
  });

  it('refuses a second first-apply racing the first (meta/applied must not exist)', async () => {
    const store = new MemoryStore();
    const p1 = plan(loadDesired(snapshotOf(v1, 'c1')), await loadApplied(store), { now: clock.now() });
    const p2 = plan(loadDesired(snapshotOf({ 'x.yaml': jobYaml('x') }, 'c9')), await loadApplied(store), { now: clock.now() });
    await applyPlan(store, p1, clock.now());
    await expect(applyPlan(store, p2, clock.now())).rejects.toMatchObject({ code: 'E_CONFLICT' });
    expect((await store.list('resources')).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('a damaged applied entry', () => {
  it('is a clear error naming the key and what is wrong, never a TypeError', async () => {
    for (const bad of [5, { resource: 'x' }, { resource: { kind: 'Job', spec: {} }, revision: 'r', appliedAt: 0 }]) {
      const store = new MemoryStore();
      await store.put('resources/nightly', bad);
      const err = await loadApplied(store).then(() => undefined, (e: Error) => e);
      expect(err).toMatchObject({ code: 'E_INVALID' });
      expect(err?.message).toMatch(/^store entry resources\/nightly is not an applied resource: /);
    }
  });
});
