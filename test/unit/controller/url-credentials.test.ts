/**
 * Credentials in a source URL (`https://deploy:TOKEN@host/repo.git`) never reach what
 * viewers see: the source description (`/v1/sync`), the recorded sync failure, the error
 * of `/v1/plan`, the controller's "sync failed" log line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControllerState } from '../../../src/controller/state.js';
import { planView, syncPass, type SyncPassDeps } from '../../../src/controller/sync-pass.js';
import { stripUrlCredentials } from '../../../src/core/url-credentials.js';
import { GitSource } from '../../../src/source/git.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';

const TOKEN = 'ghp_TopSecretToken123';

describe('URL credentials', () => {
  let dir: string;
  let deps: SyncPassDeps;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-urlcred-'));
    const store = new MemoryStore();
    const source = new GitSource({ url: `http://deploy:${TOKEN}@127.0.0.1:1/repo.git`, ref: 'main', cacheRoot: dir });
    deps = { source, store, state: new ControllerState(store), clock: new FakeClock('2026-05-01T00:00:00Z'), prune: false, allowMassPrune: false };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('are stripped from the source description, the recorded sync failure and the plan error', async () => {
    expect(deps.source.description).toBe('git:http://127.0.0.1:1/repo.git@main');
    const err = await syncPass(deps).then(() => undefined, (e: Error) => e);
    expect(err).toMatchObject({ code: 'E_SOURCE' });
    expect(err!.message).not.toContain(TOKEN);
    expect(JSON.stringify(deps.state.sync)).not.toContain(TOKEN);
    expect(JSON.stringify(await deps.store.get('meta/sync'))).not.toContain(TOKEN);
    const planErr = await planView(deps).catch((e: Error) => e);
    expect((planErr as Error).message).not.toContain(TOKEN);
  });

  it('stripUrlCredentials removes user and password from every URL in a text', () => {
    expect(stripUrlCredentials(`fatal: unable to access 'https://deploy:${TOKEN}@github.com/o/r.git/': x`)).toBe(`fatal: unable to access 'https://github.com/o/r.git/': x`);
    expect(stripUrlCredentials(`http://${TOKEN}@h/r and ssh://git@h/r`)).toBe('http://h/r and ssh://h/r');
    expect(stripUrlCredentials('git@github.com:o/r.git, mail a@b.c')).toBe('git@github.com:o/r.git, mail a@b.c');
  });
});
