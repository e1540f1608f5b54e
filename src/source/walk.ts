/**
 * Reads the manifest files under a root directory: every `*.yaml` / `*.yml`, recursively,
 * in a deterministic order. Shared by the directory source and the git source (which walks
 * its cache checkout), so both refuse the same things the same way:
 *  - a symlink whose target lies outside the root (a manifest repository must not read
 *    the host's files), reported as a problem and not read;
 *  - a file over the size limit, reported without reading it into memory;
 *  - paths listed in `<root>/.kairosignore` (one `/`-separated path prefix per line,
 *    `#` comments), e.g. `ci/` so a CI workflow beside the manifests is not read as one.
 * Directories whose name starts with `.` (.git, .kairos, .github) and `node_modules` are
 * never entered.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Problem } from '../core/errors.js';
import type { SourceFile } from '../ports/source.js';

/** Files larger than this are refused (1 MiB): manifests are small; a huge file is a mistake or an attack. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** The name of the optional ignore file at the source root. */
export const IGNORE_FILE = '.kairosignore';

/** Limits for reading a tree. */
export interface WalkOptions {
  maxFileBytes?: number;
}

/** The files read, and the ones refused (as problems at `path:1:1`). */
export interface WalkResult {
  files: SourceFile[];
  problems: Problem[];
}

const MANIFEST = /\.ya?ml$/i;

/** Reads every manifest file under `root` (see the module comment for what is refused). */
export async function readManifestTree(root: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const realRoot = await realpath(root);
  const ignored = await readIgnoreFile(realRoot);
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  const refuse = (path: string, message: string) => problems.push({ file: path, line: 1, column: 1, path: '', message });
  const visited = new Set<string>([realRoot]);

  const visit = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).map((e) => e.name).sort(byteOrder);
    for (const name of entries) {
      const full = join(dir, name);
      const rel = relative(realRoot, full).split(sep).join('/');
      if (ignored.some((prefix) => rel === prefix || rel.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))) continue;
      let info = await lstat(full);
      if (info.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (target === undefined) {
          if (MANIFEST.test(name)) refuse(rel, 'symlink points to a file that does not exist');
          continue;
        }
        if (target !== realRoot && !target.startsWith(realRoot + sep)) {
          refuse(rel, `symlink points outside the source root (to ${target}); refused`);
          continue;
        }
        info = await stat(full);
        if (info.isDirectory() && visited.has(target)) continue;
      }
      if (info.isDirectory()) {
        if (!name.startsWith('.') && name !== 'node_modules') {
          visited.add(await realpath(full));
          await visit(full);
        }
      } else if (info.isFile() && MANIFEST.test(name)) {
        if (info.size > maxBytes) {
          refuse(rel, `file is ${info.size} bytes, over the ${maxBytes}-byte limit for a manifest file; refused`);
          continue;
        }
        files.push({ path: rel, content: await readFile(full) });
      }
    }
  };
  await visit(realRoot);
  files.sort((a, b) => byteOrder(a.path, b.path));
  return { files, problems };
}

async function readIgnoreFile(root: string): Promise<string[]> {
  const text = await readFile(join(root, IGNORE_FILE), 'utf8').catch(() => '');
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim().replace(/^\/+/, ''))
    .filter((l) => l.length > 0);
}

/** Compares strings by UTF-16 code units, independent of locale. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
