import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCliStore } from '../../../src/cli/reconcile.js';
import { FileStore } from '../../../src/store/file-store.js';
import { storeContract } from '../../support/store-contract.js';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'kairos-filestore-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

storeContract('FileStore', async () => {
  const path = join(await tempDir(), 'state.json');
  return { store: new FileStore(path), reopen: async () => new FileStore(path) };
}, { persistent: true });

describe('FileStore on disk', () => {
  it('leaves no temp files behind and writes readable JSON', async () => {
    const dir = await tempDir();
    const store = new FileStore(join(dir, 'state.json'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`runs/r${i}`, { i })));
    await store.close();
    expect(await readdir(dir)).toEqual(['state.json']);
    const doc = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(doc.format).toBe('kairos-store/1');
    expect(doc.entries['runs/r7']).toEqual([0, { i: 7 }]);
  });

  it('names the file when it is not a store file', async () => {
    const path = join(await tempDir(), 'state.json');
    await writeFile(path, '{"some":"thing"}');
    await expect(new FileStore(path).get('jobs/a')).rejects.toThrow(`${path}: not a Kairos store file`);
    await writeFile(path, '{broken');
    await expect(new FileStore(path).list('jobs')).rejects.toMatchObject({ code: 'E_INVALID' });
  });

  it('reports an unwritable location as unavailable and stays usable for reads', async () => {
    const path = join(await tempDir(), 'missing-dir', 'state.json');
    const store = new FileStore(path);
    await expect(store.put('jobs/a', 1)).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(await store.get('jobs/a')).toBeUndefined();
  });
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('FileStore: one writer per file', () => {
  it('refuses a second writer, naming the holder pid, until the first closes', async () => {
    const path = join(await tempDir(), 'state.json');
    const first = await FileStore.openExclusive(path);
    await first.put('jobs/a', 1);
    await expect(FileStore.openExclusive(path)).rejects.toThrow(new RegExp(`in use by pid ${process.pid}`));
    await first.close();
    const second = await FileStore.openExclusive(path);
    expect((await second.get('jobs/a'))?.value).toBe(1);
    await second.close();
  });

  it('takes over the lock of a process that is gone', async () => {
    const path = join(await tempDir(), 'state.json');
    await writeFile(`${path}.lock`, JSON.stringify({ pid: deadPid(), host: hostname(), at: Date.now() }));
    const store = await FileStore.openExclusive(path);
    expect(JSON.parse(await readFile(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    await store.close();
  });

  it('refuses a CLI apply against a store a controller owns, and says what to do instead', async () => {
    const path = join(await tempDir(), 'state.json');
    const serve = await FileStore.openExclusive(path);
    const err = await openCliStore({ kind: 'file', path }, false).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(new RegExp(`pid ${process.pid}`));
    expect(err?.message).toMatch(/POST \/v1\/sync|--dry-run/);
    const dry = await openCliStore({ kind: 'file', path }, true);
    await dry.close();
    await serve.close();
  });
});

describe('FileStore: a damaged file never means "start empty"', () => {
  it('refuses a zero-length or blank file with a clear error', async () => {
    const path = join(await tempDir(), 'state.json');
    await writeFile(path, '');
    await expect(new FileStore(path).get('jobs/a')).rejects.toThrow(`${path}: the store file is empty`);
    await writeFile(path, '  \n');
    await expect(new FileStore(path).list('runs')).rejects.toMatchObject({ code: 'E_INVALID' });
  });
});
