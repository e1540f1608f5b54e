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
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { setImmediate } from 'node:timers/promises';
import { join, sep } from 'node:path';
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

/** Files read between two yields to the event loop (a few milliseconds of work). */
const READ_BATCH = 256;

/** Reads every manifest file under `root` (see the module comment for what is refused). */
export async function readManifestTree(root: string, opts: WalkOptions = {}): Promise<WalkResult> {
  const maxBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const realRoot = await realpath(root);
  const ignore = await readIgnoreFile(realRoot);
  const wanted: { rel: string; full: string }[] = [];
  const problems: Problem[] = [];
  const refuse = (path: string, message: string) => problems.push({ file: path, line: 1, column: 1, path: '', message });
  if (!Array.isArray(ignore)) {
    refuse(IGNORE_FILE, ignore.refused);
    return { files: [], problems };
  }
  const ignored = ignore;
  const visited = new Set<string>([realRoot]);

  // First the tree: entry types come with the listing (no lstat per file); only symlinks
  // are resolved and checked against the root.
  const visit = async (dir: string, relDir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => byteOrder(a.name, b.name));
    for (const entry of entries) {
      const name = entry.name;
      const full = join(dir, name);
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      if (ignored.some((prefix) => rel === prefix || rel.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))) continue;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (target === undefined) {
          if (MANIFEST.test(name)) refuse(rel, 'symlink points to a file that does not exist');
          continue;
        }
        if (target !== realRoot && !target.startsWith(realRoot + sep)) {
          refuse(rel, `symlink points outside the source root (to ${target}); refused`);
          continue;
        }
        const info = await stat(full);
        if (info.isDirectory() && visited.has(target)) continue;
        [isDir, isFile] = [info.isDirectory(), info.isFile()];
      }
      if (isDir) {
        if (!name.startsWith('.') && name !== 'node_modules') {
          visited.add(await realpath(full));
          await visit(full, rel);
        }
      } else if (isFile && MANIFEST.test(name)) {
        wanted.push({ rel, full });
      }
    }
  };
  await visit(realRoot, '');

  // Then the files, with synchronous calls in batches: one open, read and close each,
  // into one scratch buffer a byte longer than the limit (a file that fills it is over
  // the limit, and only then is it stat'ed for the message), so memory stays bounded
  // without an fstat per file. Node's promise API costs a thread-pool round trip per
  // call, which for 10,000 small files was a second of CPU against 0.15 s synchronously;
  // yielding between batches keeps a controller's event loop responsive.
  const scratch = Buffer.allocUnsafe(maxBytes + 1);
  const read: (SourceFile | undefined)[] = new Array(wanted.length);
  for (let i = 0; i < wanted.length; i++) {
    if (i > 0 && i % READ_BATCH === 0) await setImmediate();
    const { rel, full } = wanted[i];
    const fd = openSync(full, 'r');
    try {
      const n = readInto(fd, scratch);
      if (n > maxBytes) refuse(rel, `file is ${fstatSync(fd).size} bytes, over the ${maxBytes}-byte limit for a manifest file; refused`);
      else read[i] = { path: rel, content: Buffer.from(scratch.subarray(0, n)) };
    } finally {
      closeSync(fd);
    }
  }
  const files = read.filter((f): f is SourceFile => f !== undefined).sort((a, b) => byteOrder(a.path, b.path));
  problems.sort((a, b) => byteOrder(a.file, b.file));
  return { files, problems };
}

/** Reads an open file from its start into `buf` until the end of the file or of `buf`; returns the bytes read. */
function readInto(fd: number, buf: Buffer): number {
  let off = 0;
  while (off < buf.length) {
    const n = readSync(fd, buf, off, buf.length - off, off);
    if (n === 0) break;
    off += n;
  }
  return off;
}

/** Largest `.kairosignore` read. */
const MAX_IGNORE_BYTES = 64 * 1024;

/**
 * The ignore file's prefixes, or a refusal: it is opened without following a symlink and
 * must be a regular file of at most MAX_IGNORE_BYTES (a symlink to /dev/zero would
 * otherwise be read until memory runs out, on every sync).
 */
async function readIgnoreFile(root: string): Promise<string[] | { refused: string }> {
  let fh;
  try {
    fh = await open(join(root, IGNORE_FILE), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    return { refused: `must be a regular file of at most ${MAX_IGNORE_BYTES} bytes (${code === 'ELOOP' ? 'it is a symlink' : `cannot open it: ${code}`})` };
  }
  try {
    const info = await fh.stat();
    if (!info.isFile() || info.size > MAX_IGNORE_BYTES) {
      return { refused: `must be a regular file of at most ${MAX_IGNORE_BYTES} bytes (${info.isFile() ? `it has ${info.size}` : 'it is not a regular file'})` };
    }
    const buf = Buffer.alloc(MAX_IGNORE_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf
      .subarray(0, Math.min(bytesRead, MAX_IGNORE_BYTES))
      .toString('utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim().replace(/^\/+/, ''))
      .filter((l) => l.length > 0);
  } finally {
    await fh.close();
  }
}

/** Compares strings by UTF-16 code units, independent of locale. */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
