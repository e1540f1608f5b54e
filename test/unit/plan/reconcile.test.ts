import { describe, expect, it } from 'vitest';
import { reconcile, type ReconcileInput } from '../../../src/cli/reconcile.js';
import { ManifestError } from '../../../src/core/errors.js';
import type { ManifestSource, Snapshot } from '../../../src/ports/source.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

const clock = new FakeClock('2026-02-01T00:00:00Z');
const sourceOf = (snap: Snapshot): ManifestSource => ({ description: 'test', snapshot: async () => snap });
const input = (source: ManifestSource, rest: Partial<ReconcileInput> = {}): ReconcileInput => ({
  source,
  dryRun: false,
  prune: false,
  allowMassPrune: false,
  output: 'text',
  color: false,
  now: clock.now(),
  ...rest,
});

describe('reconcile (the command without the process)', () => {
  it('dry-run reports pending changes (2) without writing; apply writes; then in sync (0)', async () => {
    const store = new MemoryStore();
    const src = sourceOf(snapshotOf({ 'a.yaml': jobYaml('a') }, 'c1'));
    const dry = await reconcile(input(src, { store, dryRun: true }));
    expect([dry.exitCode, dry.applied]).toEqual([2, false]);
    expect(await store.list('resources')).toEqual([]);
    const applied = await reconcile(input(src, { store }));
    expect([applied.exitCode, applied.applied]).toEqual([0, true]);
    expect(applied.output).toMatch(/Applied revision c1\.\n$/);
    expect(await store.list('resources')).toEqual(['a']);
    // The document as written in git is kept with it, for the controller's job page.
    expect((await store.get<{ manifest?: string }>('resources/a'))?.value.manifest).toBe(jobYaml('a').trimEnd() + '\n');
    const again = await reconcile(input(src, { store, dryRun: true }));
    expect(again.exitCode).toBe(0);
    expect(again.output).toContain('No changes.');
  });

  it('plans against another source with --against, never writing', async () => {
    const head = sourceOf(snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: new }') }, 'head'));
    const base = sourceOf(snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: old }') }, 'base'));
    const r = await reconcile(input(head, { against: { ref: 'main', source: base }, output: 'json' }));
    expect(r.exitCode).toBe(2);
    expect(r.applied).toBe(false);
    expect(JSON.parse(r.output).entries[0].changes).toEqual([{ path: 'spec.command.shell', old: 'old', new: 'new' }]);
  });

  it('changes nothing when the manifests are invalid', async () => {
    const store = new MemoryStore();
    await reconcile(input(sourceOf(snapshotOf({ 'a.yaml': jobYaml('a') }, 'c1')), { store }));
    const broken = sourceOf(snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: x }\nresources: { cpus: -1 }') }, 'c2'));
    await expect(reconcile(input(broken, { store }))).rejects.toBeInstanceOf(ManifestError);
    expect((await store.get<{ revision: string }>('meta/applied'))?.value.revision).toBe('c1');
  });
});
