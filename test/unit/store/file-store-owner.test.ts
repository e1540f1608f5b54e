import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCliStore } from '../../../src/cli/reconcile.js';
import { FileStore } from '../../../src/store/file-store.js';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'kairos-fileowner-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
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
