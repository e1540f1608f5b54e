/**
 * Where GitSource keeps its cache clone: never inside the user's working copy (a later
 * `git add -A` there committed a `.kairos/cache/<hash>` clone as an embedded repository).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultCacheRoot, GitSource } from '../../src/source/git.js';
import { TempRepo } from '../e2e/support.js';
import { jobManifest } from '../support/job-manifest.js';

describe('git cache clone location', () => {
  const repo = new TempRepo();
  const xdg = mkdtempSync(join(tmpdir(), 'kairos-xdg-'));
  const saved = process.env.XDG_CACHE_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
  });
  afterAll(() => {
    repo.remove();
    rmSync(xdg, { recursive: true, force: true });
  });

  it('defaults to $XDG_CACHE_HOME/kairos, else the OS temp dir; a relative XDG_CACHE_HOME is ignored (XDG spec)', () => {
    expect(defaultCacheRoot({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/kairos');
    expect(defaultCacheRoot({ XDG_CACHE_HOME: 'relative' })).toBe(join(tmpdir(), `kairos-cache-${process.getuid!()}`));
    expect(defaultCacheRoot({})).toBe(join(tmpdir(), `kairos-cache-${process.getuid!()}`));
  });

  it('a cache root inside the working copy being read is moved out, and the checkout stays clean', async () => {
    repo.commit('a.yaml', jobManifest('a', '0 1 * * *', 'echo a'), 'a');
    process.env.XDG_CACHE_HOME = xdg;
    const snap = await new GitSource({ url: repo.dir, ref: 'main', cacheRoot: join(repo.dir, '.kairos', 'cache') }).snapshot();
    expect(snap.files.map((f) => f.path)).toEqual(['a.yaml']);
    expect(existsSync(join(repo.dir, '.kairos'))).toBe(false);
    expect(execFileSync('git', ['status', '--porcelain', '--ignored'], { cwd: repo.dir, encoding: 'utf8' })).toBe('');
    expect(readdirSync(join(xdg, 'kairos'))).toHaveLength(1);
  });
});
