import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { DirectorySource } from '../../../src/source/directory.js';

let root: string;
let outside: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kairos-dir-'));
  outside = await mkdtemp(join(tmpdir(), 'kairos-outside-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

async function put(rel: string, text: string | Buffer): Promise<void> {
  await mkdir(join(root, rel, '..'), { recursive: true });
  await writeFile(join(root, rel), text);
}

describe('DirectorySource', () => {
  it('reads *.yaml and *.yml recursively in byte order, skipping dot-directories, node_modules and other files', async () => {
    await put('b.yaml', 'b');
    await put('A.yml', 'A');
    await put('sub/z.yaml', 'z');
    await put('sub/deeper/a.YAML', 'a');
    await put('notes.txt', 'n');
    await put('.git/config.yaml', 'no');
    await put('.github/workflows/ci.yml', 'no');
    await put('node_modules/pkg/x.yaml', 'no');
    const snap = await new DirectorySource(root).snapshot();
    expect(snap.files.map((f) => f.path)).toEqual(['A.yml', 'b.yaml', 'sub/deeper/a.YAML', 'sub/z.yaml']);
    expect(snap.files.map((f) => f.content.toString())).toEqual(['A', 'b', 'a', 'z']);
    expect(snap.problems).toEqual([]);
    expect(snap.commit).toBeUndefined();
  });

  it('has a content revision that is stable and changes with any edit', async () => {
    await put('a.yaml', 'one');
    const src = new DirectorySource(root);
    const r1 = (await src.snapshot()).revision;
    expect(r1).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect((await src.snapshot()).revision).toBe(r1);
    await put('a.yaml', 'two');
    const r2 = (await src.snapshot()).revision;
    expect(r2).not.toBe(r1);
    await put('b.yaml', '');
    expect((await src.snapshot()).revision).not.toBe(r2);
  });

  it('skips paths listed in .kairosignore', async () => {
    await put('.kairosignore', '# CI workflows are not manifests\nci/\n/drafts\n');
    await put('ci/plan.yml', 'on: push');
    await put('drafts/x.yaml', 'x');
    await put('drafts-kept/y.yaml', 'y');
    await put('job.yaml', 'j');
    const snap = await new DirectorySource(root).snapshot();
    expect(snap.files.map((f) => f.path)).toEqual(['drafts-kept/y.yaml', 'job.yaml']);
  });

  it('refuses a symlink that escapes the root, and follows one that stays inside', async () => {
    await writeFile(join(outside, 'secret.yaml'), 'secret');
    await put('real/a.yaml', 'a');
    await symlink(join(outside, 'secret.yaml'), join(root, 'escape.yaml'));
    await symlink(outside, join(root, 'escape-dir'));
    await symlink(join(root, 'real', 'a.yaml'), join(root, 'inside.yaml'));
    const snap = await new DirectorySource(root).snapshot();
    expect(snap.files.map((f) => f.path)).toEqual(['inside.yaml', 'real/a.yaml']);
    expect(snap.files.some((f) => f.content.toString() === 'secret')).toBe(false);
    expect(snap.problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^escape-dir:1:1: symlink points outside the source root \(to .*\); refused$/),
      expect.stringMatching(/^escape\.yaml:1:1: symlink points outside the source root \(to .*secret\.yaml\); refused$/),
    ]);
  });

  it('does not loop on a symlink cycle', async () => {
    await put('d/a.yaml', 'a');
    await symlink(join(root, 'd'), join(root, 'd', 'again'));
    const snap = await new DirectorySource(root).snapshot();
    expect(snap.files.map((f) => f.path)).toEqual(['d/a.yaml']);
  });

  it('refuses a file over the size limit with a clear message', async () => {
    await put('big.yaml', Buffer.alloc(2048, 0x20));
    await put('small.yaml', 'ok');
    const snap = await new DirectorySource(root, { maxFileBytes: 1024 }).snapshot();
    expect(snap.files.map((f) => f.path)).toEqual(['small.yaml']);
    expect(snap.problems.map(formatProblem)).toEqual(['big.yaml:1:1: file is 2048 bytes, over the 1024-byte limit for a manifest file; refused']);
  });

  it('fails with E_SOURCE when the directory does not exist', async () => {
    await expect(new DirectorySource(join(root, 'nope')).snapshot()).rejects.toMatchObject({ code: 'E_SOURCE' });
  });
});
