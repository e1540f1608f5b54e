/**
 * A ManifestSource over a git repository (a URL or a local path) at a ref. It never
 * touches the user's working copy: it keeps its own clone under a cache directory
 * (`$XDG_CACHE_HOME/kairos/<hash of the URL>`, else under the OS temp dir; never inside
 * the working copy being read, where `git add -A` would pick it up), fetches, checks the wanted commit out there
 * (detached, forced) and reads the tree with the same walker as the directory source.
 * The snapshot's revision is the commit id. Several processes may share the cache: each
 * snapshot (fetch, checkout, read) holds the clone's lock (./dir-lock.ts) throughout.
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { KairosError, messageOf } from '../core/errors.js';
import { stripUrlCredentials } from '../core/url-credentials.js';
import type { Clock } from '../ports/clock.js';
import type { ManifestSource, Snapshot } from '../ports/source.js';
import { withDirLock } from './dir-lock.js';
import { readManifestTree, type WalkOptions } from './walk.js';

/** Where the repository is, which ref to read and where to keep the cache clone. */
export interface GitSourceOptions extends WalkOptions {
  /** Repository URL or local path. */
  url: string;
  /** Branch, tag or commit id; default: the remote's HEAD branch. */
  ref?: string;
  /** Where cache clones live; default `defaultCacheRoot()`. Ignored when inside the source's working copy. */
  cacheRoot?: string;
  /** Manifests live under this directory of the repository (default: its root). */
  subdir?: string;
  /** For waiting on the cache clone's lock (default: the system clock). */
  clock?: Clock;
}

/** Reads manifests from a git repository at a ref, through a private cache clone. */
export class GitSource implements ManifestSource {
  readonly description: string;
  private where?: { url: string; dir: string; subdir: string };

  constructor(private readonly opts: GitSourceOptions) {
    this.description = `git:${stripUrlCredentials(opts.url)}@${opts.ref ?? 'HEAD'}`;
  }

  async snapshot(): Promise<Snapshot> {
    const where = await this.locate();
    await mkdir(dirname(where.dir), { recursive: true });
    return withDirLock(where.dir, () => this.snapshotLocked(where), { clock: this.opts.clock });
  }

  private async snapshotLocked(where: { url: string; dir: string; subdir: string }): Promise<Snapshot> {
    const git = await this.sync(where);
    const commit = await this.resolveRef(git, this.opts.ref);
    try {
      await git.raw(['checkout', '--force', '--detach', commit]);
      await git.raw(['clean', '-ffdqx']);
    } catch (err) {
      throw new KairosError('E_SOURCE', `cannot check out ${commit} in cache clone ${where.dir}: ${stripUrlCredentials(messageOf(err))}`, { cause: err });
    }
    try {
      const { files, problems } = await readManifestTree(join(where.dir, where.subdir), this.opts);
      return { revision: commit, commit, files, problems };
    } catch (err) {
      throw new KairosError('E_SOURCE', `cannot read ${where.subdir || 'the repository root'} at ${commit}: ${stripUrlCredentials(messageOf(err))}`, { cause: err });
    }
  }

  /**
   * The merge base of `ref` and this source's ref, computed in the cache clone: for a
   * remote source, where there is no local repository to ask (see `mergeBase` for one).
   */
  async mergeBase(ref: string): Promise<string> {
    const where = await this.locate();
    await mkdir(dirname(where.dir), { recursive: true });
    return withDirLock(
      where.dir,
      async () => {
        const git = await this.sync(where);
        const [a, b] = [await this.resolveRef(git, ref), await this.resolveRef(git, this.opts.ref)];
        const base = (await git.raw(['merge-base', a, b]).catch(() => '')).trim();
        if (!base) throw new KairosError('E_SOURCE', `${ref} and ${this.opts.ref ?? 'HEAD'} have no common history in ${this.opts.url}; use --against-tip`);
        return base;
      },
      { clock: this.opts.clock },
    );
  }

  /**
   * Where to clone from and what to read. A local path inside a working copy (e.g.
   * `examples/` of a repository) clones the repository and reads that subdirectory.
   */
  private async locate(): Promise<{ url: string; dir: string; subdir: string }> {
    if (this.where) return this.where;
    let url = this.opts.url;
    let subdir = this.opts.subdir ?? '';
    if (!isRemoteUrl(url)) {
      const path = resolve(url);
      const top = await topLevel(path);
      url = top || path;
      subdir = join(top ? relative(top, path) : '', subdir);
    }
    const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
    let root = resolve(this.opts.cacheRoot ?? defaultCacheRoot());
    if (!isRemoteUrl(url) && isInside(root, url)) root = defaultCacheRoot();
    if (!isRemoteUrl(url) && isInside(root, url)) root = join(tmpdir(), cacheDirName());
    this.where = { url, dir: join(root, key), subdir };
    return this.where;
  }

  /** Clones on first use, fetches afterwards; returns a git client on the cache clone. */
  private async sync(where: { url: string; dir: string }): Promise<SimpleGit> {
    try {
      const exists = await stat(join(where.dir, '.git')).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await mkdir(where.dir, { recursive: true });
        await (await simpleGit())(where.dir).clone(where.url, where.dir, ['--no-checkout', '--quiet']);
      }
      const git = (await simpleGit())(where.dir);
      // Branches as origin/<name>; the source's own remote-tracking refs too (a CI checkout
      // often has the base branch only as origin/main), as upstream/<remote>/<name>.
      await git.raw(['fetch', '--quiet', '--prune', '--prune-tags', '--tags', '--force', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/remotes/*:refs/remotes/upstream/*']);
      return git;
    } catch (err) {
      throw new KairosError('E_SOURCE', `cannot fetch git repository ${stripUrlCredentials(this.opts.url)}: ${stripUrlCredentials(messageOf(err))}`, { cause: err });
    }
  }

  /**
   * Resolves the ref on the remote only: `origin/<ref>` (a branch), `upstream/<ref>` (the
   * source's own remote-tracking ref), a tag, or a commit id. Never a local branch or HEAD of
   * the cache clone: those are whatever was checked out last, so a branch deleted upstream
   * would silently fall back to a stale commit and roll jobs back.
   */
  private async resolveRef(git: SimpleGit, ref: string | undefined): Promise<string> {
    const candidates = ref === undefined ? ['refs/remotes/origin/HEAD'] : [`refs/remotes/origin/${ref}`, `refs/remotes/upstream/${ref}`, `refs/tags/${ref}`];
    if (ref !== undefined && /^[0-9a-f]{7,64}$/i.test(ref)) candidates.push(ref);
    for (const c of candidates) {
      const out = await git.raw(['rev-parse', '--verify', '--quiet', `${c}^{commit}`]).catch(() => '');
      if (/^[0-9a-f]{40,64}$/.test(out.trim())) return out.trim();
    }
    throw new KairosError('E_SOURCE', `ref ${JSON.stringify(ref ?? 'HEAD')} not found in ${stripUrlCredentials(this.opts.url)} (deleted upstream?); nothing applied, the last applied commit stays in force`);
  }

  /**
   * Whether `commit` is `ancestor` or descends from it; false too when `ancestor` is not in
   * the repository any more. The sync refuses a move that is not a descendant (a rewind).
   */
  async descendsFrom(commit: string, ancestor: string): Promise<boolean> {
    const where = await this.locate();
    // `merge-base A B` is A exactly when A is an ancestor of B (simple-git reports exit 1 of
    // --is-ancestor, which writes nothing to stderr, as success).
    const base = async (dir: string) => (await simpleGit())(dir).raw(['merge-base', ancestor, commit]).then((out: string) => out.trim(), () => '');
    return (await withDirLock(where.dir, () => base(where.dir), { clock: this.opts.clock })) === ancestor;
  }
}

/** simple-git, loaded on first use: a directory source or `--help` never needs it. */
async function simpleGit(): Promise<typeof import('simple-git').simpleGit> {
  return (await import('simple-git')).simpleGit;
}

/**
 * Where cache clones live unless told otherwise: `$XDG_CACHE_HOME/kairos` (XDG Base
 * Directory spec: only an absolute path counts), else `kairos-cache-<uid>` in the OS temp
 * dir. Never relative to the current directory, which is usually the user's checkout.
 */
export function defaultCacheRoot(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'kairos');
  return join(tmpdir(), cacheDirName());
}

function cacheDirName(): string {
  return `kairos-cache-${process.getuid?.() ?? 'user'}`;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The merge base of `ref` and `head` (default HEAD) in the working copy at `path`, as a
 * pull request's diff uses: `git merge-base`, read-only. `ref` may be a local or a
 * remote-tracking name (`main` is also tried as `origin/main`).
 */
export async function mergeBase(path: string, ref: string, head = 'HEAD'): Promise<string> {
  const git = (await simpleGit())(path);
  const headId = (await git.raw(['rev-parse', '--verify', '--quiet', `${head}^{commit}`]).catch(() => '')).trim();
  if (!headId) throw new KairosError('E_SOURCE', `ref ${JSON.stringify(head)} not found in ${path}`);
  for (const candidate of [ref, `origin/${ref}`]) {
    const id = (await git.raw(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]).catch(() => '')).trim();
    if (!id) continue;
    const base = (await git.raw(['merge-base', id, headId]).catch(() => '')).trim();
    if (!base) throw new KairosError('E_SOURCE', `${ref} and ${head} have no common history in ${path}; use --against-tip to compare with the tip of ${ref}`);
    return base;
  }
  throw new KairosError('E_SOURCE', `ref ${JSON.stringify(ref)} not found in ${path} (fetch it first, e.g. git fetch origin ${ref})`);
}

/** The working copy root containing `path`, or '' when it is none (or does not exist). */
async function topLevel(path: string): Promise<string> {
  try {
    return (await (await simpleGit())(path).revparse(['--show-toplevel'])).trim();
  } catch {
    return '';
  }
}

/** True for `scheme://...` and scp-like `user@host:path` git URLs. */
export function isRemoteUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^[^/\s]+@[^/\s]+:/.test(s);
}
