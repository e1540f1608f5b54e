import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withDirLock } from '../../../src/source/dir-lock.js';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kairos-lock-'));
  dir = join(root, 'clone');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const owner = (pid: number, at = Date.now()) => JSON.stringify({ pid, host: hostname(), at });

describe('withDirLock', () => {
  it('runs holders one at a time and removes the lock afterwards, also after a failure', async () => {
    const log: string[] = [];
    let inside = 0;
    const holder = (name: string) =>
      withDirLock(dir, async () => {
        inside++;
        log.push(`${name}:${inside}`);
        await new Promise((r) => setImmediate(r));
        inside--;
      }, { pollMs: 1 });
    await Promise.all(['a', 'b', 'c'].map(holder));
    expect(log.map((x) => x.split(':')[1])).toEqual(['1', '1', '1']);
    await expect(withDirLock(dir, async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await readdir(root)).toEqual([]);
  });

  it('takes over a lock whose process is gone', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(`${dir}.lock`, owner(dead));
    expect(await withDirLock(dir, async () => 'ran', { timeoutMs: 5_000 })).toBe('ran');
    expect(await readdir(root)).toEqual([]);
  });

  it('takes over an unreadable lock file once it is older than staleMs', async () => {
    await writeFile(`${dir}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${dir}.lock`, old, old);
    expect(await withDirLock(dir, async () => 'ran', { staleMs: 30_000, timeoutMs: 5_000 })).toBe('ran');
  });

  it('waits on a live owner and gives up with E_SOURCE naming it', async () => {
    await writeFile(`${dir}.lock`, owner(process.ppid));
    await expect(withDirLock(dir, async () => 'ran', { timeoutMs: 100, pollMs: 10 })).rejects.toMatchObject({
      code: 'E_SOURCE',
      message: expect.stringContaining(`locked by pid ${process.ppid}`),
    });
  });
});
