/**
 * Pull-request review as CI runs it: a "GitHub" repository whose main moved after the
 * branch point, a checkout of the PR branch with origin/main fetched, and the Plan step of
 * examples/ci/kairos-plan.yml run verbatim by bash with the real `kairos` command on PATH.
 * Judged by the markdown it would post, the exit status, and the checkout staying clean.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { jobManifest } from '../support/job-manifest.js';

// The CLI from its TypeScript sources through tsx (by absolute URL: it runs in temp dirs),
// so the test never runs a stale dist/; test/integration/compiled-cli.test.ts covers the bin.
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const workflowFile = fileURLToPath(new URL('../../examples/ci/kairos-plan.yml', import.meta.url));
const ident = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

interface Step {
  name?: string;
  run?: string;
}

describe('PR plan: --against uses the merge base, as the PR diff does', () => {
  const root = mkdtempSync(join(tmpdir(), 'kairos-pr-'));
  const origin = join(root, 'origin');
  const checkout = join(root, 'checkout');
  const cache = join(root, 'xdg-cache');
  const binDir = join(root, 'bin');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, ...ident }, encoding: 'utf8' }).trim();
  const commitFile = (cwd: string, file: string, text: string, msg: string) => {
    writeFileSync(join(cwd, file), text);
    git(cwd, 'add', '-A');
    git(cwd, 'commit', '-q', '-m', msg);
  };
  const env = () => ({ ...process.env, XDG_CACHE_HOME: cache, PATH: `${binDir}:${process.env.PATH}`, GITHUB_OUTPUT: join(root, 'github-output') });
  const steps = (load(readFileSync(workflowFile, 'utf8')) as { jobs: { plan: { steps: Step[] } } }).jobs.plan.steps;

  beforeAll(() => {
    mkdirSync(origin);
    git(origin, 'init', '-q', '-b', 'main');
    commitFile(origin, 'alpha.yaml', jobManifest('alpha', '0 1 * * *', 'echo alpha'), 'alpha');
    commitFile(origin, 'beta.yaml', jobManifest('beta', '0 2 * * *', 'echo beta'), 'beta');
    git(origin, 'checkout', '-q', '-b', 'feature');
    commitFile(origin, 'alpha.yaml', jobManifest('alpha', '30 1 * * *', 'echo alpha'), 'PR: move alpha to 01:30');
    git(origin, 'checkout', '-q', 'main');
    // main moves on after the branch point: beta changes there, not in the PR.
    commitFile(origin, 'beta.yaml', jobManifest('beta', '0 3 * * *', 'echo beta'), 'main: move beta to 03:00');
    git(root, 'clone', '-q', '--branch', 'feature', origin, checkout);
    mkdirSync(binDir);
    writeFileSync(join(binDir, 'kairos'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${main}" "$@"\n`);
    chmodSync(join(binDir, 'kairos'), 0o755);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("the workflow's Plan step posts only the PR's own change, from the merge base", () => {
    const step = steps.find((s) => s.name === 'Plan')!;
    const script = step.run!.replaceAll('${{ github.base_ref }}', 'main');
    const r = spawnSync('bash', ['-e', '-c', script], { cwd: checkout, env: env(), encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(readFileSync(join(root, 'github-output'), 'utf8')).toBe('exit=2\n');
    const md = readFileSync(join(checkout, 'plan.md'), 'utf8');
    const base = git(checkout, 'merge-base', 'origin/main', 'HEAD');
    expect(md.split('\n')[2]).toBe(`Against the merge base of \`origin/main\` and \`HEAD\` at \`${base}\` · **0 to create, 1 to update, 0 to prune, 1 unchanged**`);
    expect(md).toContain('| 🟡 update | Job | `alpha` |');
    expect(md).not.toContain('`beta`');
    expect(readFileSync(join(checkout, 'problems.txt'), 'utf8')).toBe('');
    // Nothing of Kairos's inside the checkout: the cache clone lives under $XDG_CACHE_HOME/kairos.
    expect(git(checkout, 'status', '--porcelain', '--ignored')).toBe('?? plan.md\n?? problems.txt');
    expect(existsSync(join(checkout, '.kairos'))).toBe(false);
    expect(readdirSync(join(cache, 'kairos')).length).toBeGreaterThan(0);
  });

  it('--against-tip compares with the tip of main, as before (beta shows as changed)', () => {
    const r = spawnSync(join(binDir, 'kairos'), ['reconcile', '--source', '.', '--against', 'origin/main', '--against-tip', '--output', 'text'], { cwd: checkout, env: env(), encoding: 'utf8' });
    expect(r.status).toBe(2);
    const tip = git(checkout, 'rev-parse', 'origin/main');
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^Plan for revision sha256:[0-9a-f]+ \\(against the tip of origin/main at ${tip}\\)$`));
    expect(r.stdout).toContain('2 to update');
  });

  it('the install step builds Kairos from its own pinned source, never a bare registry name', () => {
    const install = steps.find((s) => s.name === 'Install Kairos')!.run!;
    for (const line of install.split('\n').filter((l) => /npm (install|i) /.test(l))) {
      expect(line).not.toMatch(/npm (install|i) (--?\S+ )*kairos(@\S*)?\s*$/);
      expect(line).toContain('.tgz');
    }
    expect(install).toContain('checkout --quiet --detach "$KAIROS_REV"');
    expect(install).toMatch(/\^\[0-9a-f\]\{40\}\$/);
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { name: string; bin: Record<string, string> };
    expect(install).toContain(`${pkg.name}-*.tgz`);
    expect(Object.keys(pkg.bin)).toEqual(['kairos']);
    const refused = spawnSync('bash', ['-c', install], { env: { ...process.env, KAIROS_REV: '', RUNNER_TEMP: root }, encoding: 'utf8' });
    expect([refused.status, refused.stderr]).toEqual([1, 'set KAIROS_REV to the full Kairos commit id to install\n']);
  });
});
