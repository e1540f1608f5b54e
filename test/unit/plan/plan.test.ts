import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../src/core/types.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { appliedFromDesired } from '../../../src/plan/apply.js';
import { plan } from '../../../src/plan/plan.js';
import { hasChanges, type AppliedState } from '../../../src/plan/types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

const clock = new FakeClock('2026-03-07T12:00:00Z');

function desired(files: Record<string, string>, commit = 'c1'): DesiredState {
  return loadDesired(snapshotOf(files, commit));
}

const empty: AppliedState = { resources: [], versions: {} };
const base = {
  'a.yaml': jobYaml('alpha', 'schedule: { cron: "0 2 * * *", timeZone: America/New_York }\ncommand: { shell: "run alpha" }\nresources: { cpus: 0.5 }'),
  'b.yaml': jobYaml('beta', 'command: { shell: "run beta" }'),
  'c.yaml': jobYaml('gamma', 'command: { shell: "run gamma" }'),
};

describe('plan', () => {
  it('creates everything on an empty store, with next runs in the zone and in UTC', () => {
    const p = plan(desired(base), empty, { now: clock.now() });
    expect(p.entries.map((e) => [e.action, e.name, e.willApply])).toEqual([
      ['create', 'alpha', true],
      ['create', 'beta', true],
      ['create', 'gamma', true],
    ]);
    expect(p.summary).toEqual({ create: 3, update: 0, prune: 0, pruneSkipped: 0, unchanged: 0 });
    expect(hasChanges(p)).toBe(true);
    expect(p.revision).toBe('c1');
    expect(p.appliedRevision).toBeUndefined();
    // 02:00 New York: EST (-05:00) before the spring-forward on 2026-03-08, then 02:00 does not exist (03:00 EDT), then EDT.
    expect(p.entries[0].nextRuns.map((r) => [r.local, r.utc])).toEqual([
      ['2026-03-08T03:00:00-04:00', '2026-03-08T07:00:00Z'],
      ['2026-03-09T02:00:00-04:00', '2026-03-09T06:00:00Z'],
      ['2026-03-10T02:00:00-04:00', '2026-03-10T06:00:00Z'],
    ]);
    expect(p.entries[1].nextRuns).toEqual([]);
  });

  it('pairs by name: unchanged, updated with field-level old → new, created', () => {
    const before = appliedFromDesired(desired(base));
    const next = desired({
      ...base,
      'a.yaml': jobYaml('alpha', 'schedule: { cron: "30 2 * * *", timeZone: America/New_York }\ncommand: { shell: "run alpha" }\nresources: { cpus: 1 }\nenv: { MODE: fast }'),
      'd.yaml': jobYaml('delta'),
    }, 'c2');
    const p = plan(next, before, { now: clock.now() });
    expect(p.entries.map((e) => [e.action, e.name])).toEqual([
      ['update', 'alpha'],
      ['unchanged', 'beta'],
      ['create', 'delta'],
      ['unchanged', 'gamma'],
    ]);
    expect(p.entries[0].changes).toEqual([
      { path: 'spec.env.MODE', new: 'fast' },
      { path: 'spec.resources.cpus', old: 0.5, new: 1 },
      { path: 'spec.schedule.expression', old: '0 2 * * *', new: '30 2 * * *' },
    ]);
    expect(p.entries[0].nextRuns[0].utc).toBe('2026-03-08T07:30:00Z');
    expect(p.appliedRevision).toBe('c1');
    expect(p.summary).toEqual({ create: 1, update: 1, prune: 0, pruneSkipped: 0, unchanged: 2 });
  });

  it('is in sync when nothing changed, even if a manifest moved to another file', () => {
    const before = appliedFromDesired(desired(base));
    const moved = desired({ 'a.yaml': base['a.yaml'], 'b.yaml': base['b.yaml'], 'moved/c.yaml': '# moved\n' + base['c.yaml'] }, 'c2');
    const p = plan(moved, before, { now: clock.now() });
    expect(p.entries.every((e) => e.action === 'unchanged')).toBe(true);
    expect(hasChanges(p)).toBe(false);
  });

  it('shows a prune but applies it only with prune, or when the resource opts in by annotation', () => {
    const withOptIn = {
      ...base,
      'e.yaml': jobYaml('eps').replace('  name: eps', '  name: eps\n  annotations: { kairos/prune: "true" }'),
      'f.yaml': jobYaml('phi').replace('  name: phi', '  name: phi\n  annotations: { kairos/prune: "false" }'),
    };
    const before = appliedFromDesired(desired(withOptIn));
    const after = desired({ 'a.yaml': base['a.yaml'], 'b.yaml': base['b.yaml'], 'c.yaml': base['c.yaml'] }, 'c2');
    const held = plan(after, before, { now: clock.now() });
    expect(held.entries.filter((e) => e.action === 'prune').map((e) => [e.name, e.willApply])).toEqual([
      ['eps', true],
      ['phi', false],
    ]);
    expect(held.summary).toMatchObject({ prune: 1, pruneSkipped: 1 });
    const forced = plan(after, before, { now: clock.now(), prune: true });
    expect(forced.entries.filter((e) => e.action === 'prune').map((e) => [e.name, e.willApply])).toEqual([
      ['eps', true],
      ['phi', false],
    ]);
  });

  it('counts held-back prunes as in sync', () => {
    const before = appliedFromDesired(desired(base));
    const p = plan(desired({ 'a.yaml': base['a.yaml'], 'b.yaml': base['b.yaml'] }), before, { now: clock.now() });
    expect(p.summary).toEqual({ create: 0, update: 0, prune: 0, pruneSkipped: 1, unchanged: 2 });
    expect(hasChanges(p)).toBe(false);
  });

  it('refuses to prune more than half of the applied resources unless allowed', () => {
    const before = appliedFromDesired(desired(base));
    const onlyA = desired({ 'a.yaml': base['a.yaml'] });
    expect(() => plan(onlyA, before, { now: clock.now(), prune: true })).toThrow(expect.objectContaining({ code: 'E_MASS_PRUNE', message: expect.stringContaining('2 of 3') }));
    const allowed = plan(onlyA, before, { now: clock.now(), prune: true, allowMassPrune: true });
    expect(allowed.summary.prune).toBe(2);
    // exactly half is not "more than half"
    const four = appliedFromDesired(desired({ ...base, 'd.yaml': jobYaml('delta') }));
    expect(plan(desired({ 'a.yaml': base['a.yaml'], 'b.yaml': base['b.yaml'] }), four, { now: clock.now(), prune: true }).summary.prune).toBe(2);
  });

  it('pairs DAG tasks by name in the diff', () => {
    const dag = (tasks: string) => `apiVersion: kairos/v1\nkind: DAG\nmetadata: { name: flow }\nspec:\n  tasks:\n${tasks}`;
    const t = (name: string, dep = '') => `    - { name: ${name}, template: { command: { shell: "${name}" } }${dep ? `, dependsOn: [${dep}]` : ''} }\n`;
    const before = appliedFromDesired(desired({ 'f.yaml': dag(t('a') + t('b', 'a')) }));
    const p = plan(desired({ 'f.yaml': dag(t('a') + t('x', 'a') + t('b', 'x')) }), before, { now: clock.now() });
    expect(p.entries[0].changes.map((c) => [c.path, c.old, c.new])).toEqual([
      ['spec.tasks[b].dependsOn[0]', 'a', 'x'],
      ['spec.tasks[x]', undefined, expect.objectContaining({ name: 'x', dependsOn: ['a'] })],
    ]);
  });

  it('reports a kind change as an update of kind', () => {
    const before = appliedFromDesired(desired({ 'a.yaml': jobYaml('same') }));
    const p = plan(desired({ 'a.yaml': `apiVersion: kairos/v1\nkind: DAG\nmetadata: { name: same }\nspec:\n  tasks: [{ name: t, job: other }]\n---\n${jobYaml('other')}` }), before, {
      now: clock.now(),
    });
    const same = p.entries.find((e) => e.name === 'same')!;
    expect(same.action).toBe('update');
    expect(same.changes[0]).toEqual({ path: 'kind', old: 'Job', new: 'DAG' });
  });
});
