/**
 * `spec.overrides` says what a manual run may change: extra args (default yes) and the env
 * variables it names (default none). Names that change how a shell or the loader starts
 * cannot be opened to overrides at all.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadManifests } from '../../../src/manifests/load.js';
import { jobYaml, dagYaml, snapshotOf } from '../../fixtures/manifests/index.js';

describe('spec.overrides', () => {
  it('defaults to args allowed and no env (left out of the compiled spec)', () => {
    const { desired } = loadManifests(snapshotOf({ 'a.yaml': jobYaml('a'), 'd.yaml': dagYaml('d', 'tasks:\n  - name: t\n    job: a') }));
    expect(desired?.resources.map((r) => r.spec.overrides)).toEqual([undefined, undefined]);
  });

  it('compiles an allow-list', () => {
    const { desired } = loadManifests(snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: "true" }\noverrides: { args: false, env: [MODE, DAY] }') }));
    expect(desired?.resources[0].spec.overrides).toEqual({ args: false, env: ['MODE', 'DAY'] });
  });

  it('refuses names that change how a shell or the loader starts, naming file:line and field', () => {
    const { problems } = loadManifests(snapshotOf({ 'a.yaml': jobYaml('a', 'command: { shell: "true" }\noverrides:\n  env: [MODE, BASH_ENV, LD_PRELOAD]') }));
    expect(problems.map(formatProblem)).toEqual([
      'a.yaml:8:17: spec.overrides.env[1]: BASH_ENV changes how a shell or program starts; it cannot be overridden by a manual run',
      'a.yaml:8:27: spec.overrides.env[2]: LD_PRELOAD changes how a shell or program starts; it cannot be overridden by a manual run',
    ]);
  });
});
