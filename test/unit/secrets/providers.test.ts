/**
 * The secret providers (directory and environment), the env-name mangling, the manifest
 * forms (`env` or `file`, exactly one) and `kairos validate`'s warning for references the
 * provider cannot resolve. Judged by resolved values and refusals, never by a stub.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadDesired, loadManifests } from '../../../src/manifests/load.js';
import { SecretError } from '../../../src/ports/secrets.js';
import { unresolvableSecrets } from '../../../src/secrets/check.js';
import { DirectorySecrets } from '../../../src/secrets/directory.js';
import { EnvironmentSecrets, secretVariable } from '../../../src/secrets/environment.js';
import { openSecretProvider } from '../../../src/secrets/open.js';
import { jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kairos-secrets-'));
mkdirSync(join(dir, 'bi'));
writeFileSync(join(dir, 'bi/warehouse-password'), 'correct-horse\n');
writeFileSync(join(tmpdir(), 'kairos-outside-secret'), 'not-yours');
symlinkSync(join(tmpdir(), 'kairos-outside-secret'), join(dir, 'escape'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'kairos-outside-secret'), { force: true });
});

describe('DirectorySecrets', () => {
  const p = new DirectorySecrets(dir);

  it('reads DIR/<name>, dropping one trailing newline, and remembers the value for masking', async () => {
    expect(await p.resolve('bi/warehouse-password')).toBe('correct-horse');
    expect([...p.resolvedValues()]).toEqual(['correct-horse']);
  });

  it('refuses missing secrets, path tricks and symlinks leading outside the directory', async () => {
    await expect(p.resolve('bi/missing')).rejects.toThrow(new SecretError(`secret 'bi/missing' not found in directory ${dir}`));
    await expect(p.resolve('../etc/passwd')).rejects.toThrow(/relative path/);
    await expect(p.resolve('/etc/passwd')).rejects.toThrow(/relative path/);
    await expect(p.resolve('escape')).rejects.toThrow(/leads outside/);
  });
});

describe('EnvironmentSecrets', () => {
  it('maps a name to KAIROS_SECRET_<NAME>: upper case, every other character `_`', async () => {
    expect(secretVariable('bi/warehouse-password')).toBe('KAIROS_SECRET_BI_WAREHOUSE_PASSWORD');
    const p = new EnvironmentSecrets({ KAIROS_SECRET_BI_WAREHOUSE_PASSWORD: 'from-env', KAIROS_SECRET_EMPTY: '' });
    expect(await p.resolve('bi/warehouse-password')).toBe('from-env');
    await expect(p.resolve('empty')).rejects.toThrow(/KAIROS_SECRET_EMPTY is not set/);
    await expect(p.resolve('other')).rejects.toThrow(/KAIROS_SECRET_OTHER is not set/);
  });

  it('is the provider when no directory is configured', () => {
    expect(openSecretProvider(undefined, {})).toBeInstanceOf(EnvironmentSecrets);
    expect(openSecretProvider(dir, {})).toBeInstanceOf(DirectorySecrets);
  });
});

describe('secrets in manifests', () => {
  it('takes `env` or `file` (a relative path), exactly one', () => {
    const d = loadDesired(snapshotOf({ 'a.yaml': jobYaml('j', 'command: { shell: "true" }\nsecrets:\n  - { env: PW, secret: bi/warehouse-password }\n  - { file: conf/pw.txt, secret: bi/warehouse-password }') }));
    expect((d.resources[0].spec as { secrets: unknown }).secrets).toEqual([
      { env: 'PW', secret: 'bi/warehouse-password' },
      { file: 'conf/pw.txt', secret: 'bi/warehouse-password' },
    ]);
    for (const bad of ['{ secret: x }', '{ env: A, file: b, secret: x }', '{ file: /etc/pw, secret: x }', '{ file: ../pw, secret: x }']) {
      const problems = loadManifests(snapshotOf({ 'a.yaml': jobYaml('j', `command: { shell: "true" }\nsecrets:\n  - ${bad}`) })).problems.map(formatProblem);
      expect(problems.length, bad).toBeGreaterThan(0);
      expect(problems[0], bad).toMatch(/^a\.yaml:\d+:\d+: .*secrets/);
    }
  });

  it('validate warns about each reference the provider cannot resolve, naming file, line and secret', async () => {
    const d = loadDesired(snapshotOf({ 'a.yaml': jobYaml('j', 'command: { shell: "true" }\nsecrets:\n  - { env: PW, secret: bi/warehouse-password }\n  - { env: X, secret: bi/nope }') }));
    expect(await unresolvableSecrets(d, new DirectorySecrets(dir))).toEqual([`a.yaml:1: Job j: secret 'bi/nope' not found in directory ${dir}`]);
  });
});
