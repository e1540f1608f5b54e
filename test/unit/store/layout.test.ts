import { describe, expect, it } from 'vitest';
import { loadDesired } from '../../../src/manifests/load.js';
import { appliedAfter, applyPlan, loadApplied } from '../../../src/plan/apply.js';
import { plan } from '../../../src/plan/plan.js';
import { KEYS, StoreLayout } from '../../../src/store/layout.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

describe('StoreLayout', () => {
  it('spells every key in one place: what a typed method writes is where a raw reader finds it', async () => {
    const store = new MemoryStore();
    const layout = new StoreLayout(store);
    await layout.sync.put({ result: 'ok', problems: [] });
    await layout.frameworkId.put('fw-1');
    await layout.overrides.put('etl', { paused: true, since: 5 });
    await store.commit([layout.runs.putOp('etl@1', { id: 'etl@1' } as never, -1), layout.outbox.putOp('etl@1~failed', { id: 'etl@1~failed' } as never)]);
    expect((await store.get(KEYS.sync))?.value).toEqual({ result: 'ok', problems: [] });
    expect((await store.get(KEYS.frameworkId))?.value).toBe('fw-1');
    expect(await store.list(KEYS.overrides)).toEqual(['etl']);
    expect(await store.list(KEYS.runs)).toEqual(['etl@1']);
    expect(await store.list(KEYS.outbox)).toEqual(['etl@1~failed']);
    expect(await layout.overrides.all()).toEqual([{ id: 'etl', value: { paused: true, since: 5 }, version: 0 }]);
    await store.commit([layout.runs.deleteOp('etl@1', 0)]);
    expect(await layout.runs.get('etl@1')).toBeUndefined();
  });

  it('refuses a damaged applied resource naming its key, instead of handing it to planning', async () => {
    const store = new MemoryStore();
    await store.put(`${KEYS.resources}/a`, { resource: { kind: 'Job', metadata: { name: 'a' } }, revision: 'c1' });
    await expect(new StoreLayout(store).resources.get('a')).rejects.toThrow('store entry resources/a is not an applied resource: field "resource.spec" must be an object');
  });

  it('applyPlan returns what it wrote: the applied state it implies is what the store then holds', async () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    const store = new MemoryStore();
    const apply = async (files: Record<string, string>, commit: string) => {
      const before = await loadApplied(store);
      const p = plan(loadDesired(snapshotOf(files, commit)), before, { now: clock.now(), prune: true });
      const wrote = await applyPlan(store, p, clock.now());
      expect(appliedAfter(before.resources, wrote)).toEqual((await loadApplied(store)).resources);
      return wrote;
    };
    const first = await apply({ 'a.yaml': jobYaml('a'), 'b.yaml': jobYaml('b') }, 'c1');
    expect(first.written.map((a) => a.resource.metadata.name)).toEqual(['a', 'b']);
    clock.advance(60_000);
    const second = await apply({ 'a.yaml': jobYaml('a', 'command: { shell: changed }'), 'c.yaml': jobYaml('c') }, 'c2');
    expect(second.written.map((a) => a.resource.metadata.name)).toEqual(['a', 'c']);
    expect(second.pruned).toEqual(['b']);
    expect(second.meta).toEqual({ revision: 'c2', appliedAt: clock.now() });
  });
});
