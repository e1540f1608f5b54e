import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
