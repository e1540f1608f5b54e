/**
 * A followed ref that disappears, or moves to a commit that does not descend from the
 * applied one (a force-push back), must never roll jobs back silently: the pass fails,
 * nothing in the store changes, and `/v1/sync` says why. `allowRewind` is the way to
 * accept a rewind on purpose. Real git: a bare "remote" and a working clone that pushes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControllerState } from '../../src/controller/state.js';
import { syncPass, type SyncPassDeps } from '../../src/controller/sync-pass.js';
import { GitSource } from '../../src/source/git.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { jobManifest } from '../support/job-manifest.js';

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1' };

let tmp: string;
let remote: string;
let work: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

async function commit(name: string, files: Record<string, string>): Promise<string> {
  for (const [p, text] of Object.entries(files)) await writeFile(join(work, p), text);
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', name);
  return git(work, 'rev-parse', 'HEAD');
}

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kairos-rewind-'));
  remote = join(tmp, 'remote.git');
  work = join(tmp, 'work');
  git(tmp, 'init', '-q', '--bare', '-b', 'main', remote);
  git(tmp, 'clone', '-q', remote, work);
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

function deps(ref: string | undefined, allowRewind = false): SyncPassDeps {
  const store = new MemoryStore();
  const source = new GitSource({ url: `file://${remote}`, ref, cacheRoot: join(tmp, 'cache') });
  return { source, store, state: new ControllerState(store), clock: new FakeClock('2026-05-01T00:00:00Z'), prune: true, allowMassPrune: true, allowRewind };
}

describe('a followed ref that disappears', () => {
  for (const ref of ['main', undefined]) {
    it(`fails the sync and changes nothing (ref ${ref ?? 'default HEAD'})`, async () => {
      const c1 = await commit('one', { 'a.yaml': jobManifest('a', '* * * * *', 'echo a'), 'b.yaml': jobManifest('b', '* * * * *', 'echo b') });
      git(work, 'push', '-q', 'origin', `HEAD:${ref ?? 'main'}`);
      const d = deps(ref);
      await syncPass(d);
      expect(d.state.sync).toMatchObject({ result: 'ok', appliedRevision: c1 });
      git(remote, 'update-ref', '-d', `refs/heads/${ref ?? 'main'}`);
      const err = await syncPass(d).catch((e: Error) => e);
      expect(err).toMatchObject({ code: 'E_SOURCE', message: expect.stringMatching(/not found/) });
      expect(d.state.sync).toMatchObject({ result: 'failed', appliedRevision: c1 });
      expect((await d.store.list('resources')).sort()).toEqual(['a', 'b']);
    });
  }
});

describe('a ref moved to a commit that does not descend from the applied one', () => {
  it('is a sync failure that changes nothing, unless rewinds are allowed', async () => {
    const c1 = await commit('one', { 'a.yaml': jobManifest('a', '* * * * *', 'echo a') });
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    const c2 = await commit('two', { 'b.yaml': jobManifest('b', '* * * * *', 'echo b') });
    git(work, 'push', '-q', 'origin', 'HEAD:main');
    const d = deps('main');
    await syncPass(d);
    expect(d.state.sync.appliedRevision).toBe(c2);
    git(work, 'push', '-q', '--force', 'origin', `${c1}:main`);
    const err = await syncPass(d).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'E_REWIND', message: expect.stringContaining(`${c1} does not descend from the applied commit ${c2}`) });
    expect(d.state.sync).toMatchObject({ result: 'failed', appliedRevision: c2, message: expect.stringContaining('--allow-rewind') });
    expect((await d.store.list('resources')).sort()).toEqual(['a', 'b']);
    // A fast-forward from the applied commit is fine.
    git(work, 'reset', '-q', '--hard', c2);
    const c3 = await commit('three', { 'c.yaml': jobManifest('c', '* * * * *', 'echo c') });
    git(work, 'push', '-q', '--force', 'origin', 'HEAD:main');
    await syncPass(d);
    expect(d.state.sync).toMatchObject({ result: 'ok', appliedRevision: c3 });
    // With allowRewind the rewind applies.
    git(work, 'push', '-q', '--force', 'origin', `${c1}:main`);
    await syncPass({ ...d, allowRewind: true });
    expect(d.state.sync).toMatchObject({ result: 'ok', appliedRevision: c1 });
    expect(await d.store.list('resources')).toEqual(['a']);
  });
});
