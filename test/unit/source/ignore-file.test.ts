/**
 * `.kairosignore` is read cheaply or refused: a symlink (to /dev/zero: 2 GB of memory per
 * sync before), a device, a directory or an oversized file is a problem at
 * `.kairosignore:1:1`, so the sync fails without reading it.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { readManifestTree } from '../../../src/source/walk.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kairos-ignore-'));
  await writeFile(join(root, 'a.yaml'), 'a');
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('.kairosignore', () => {
  it('is refused when it is a symlink (even to /dev/zero), a device or a directory, without reading it', async () => {
    for (const make of [() => symlink('/dev/zero', join(root, '.kairosignore')), () => symlink('a.yaml', join(root, '.kairosignore')), () => mkdir(join(root, '.kairosignore'))]) {
      await rm(join(root, '.kairosignore'), { recursive: true, force: true });
      await make();
      const before = process.memoryUsage().rss;
      const { problems } = await readManifestTree(root);
      expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
      expect(problems.map(formatProblem)).toEqual([expect.stringMatching(/^\.kairosignore:1:1: must be a regular file of at most 65536 bytes/)]);
    }
  });

  it('is refused when larger than 64 KiB, and read when it is an ordinary file', async () => {
    await writeFile(join(root, '.kairosignore'), 'x\n'.repeat(40_000));
    expect((await readManifestTree(root)).problems.map(formatProblem)).toEqual([expect.stringMatching(/^\.kairosignore:1:1: must be a regular file/)]);
    await writeFile(join(root, '.kairosignore'), 'a.yaml\n');
    expect(await readManifestTree(root)).toEqual({ files: [], problems: [] });
  });
});
