/**
 * An exclusive lock on a directory shared by several kairos processes (the git cache
 * clone: `kairos reconcile` in CI next to `kairos serve`, or two CLI runs at once), so one
 * never fetches or checks out while another reads. The lock is a file `<dir>.lock` created
 * with O_EXCL, holding the owner's pid, host and start time. A lock whose owner is gone is
 * stale and taken over: its pid no longer runs on this host, or (another host, or a pid
 * reused) it is older than `staleMs`. Waiting polls through the Clock port.
 */
import { hostname } from 'node:os';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { KairosError } from '../core/errors.js';
import { systemClock, type Clock } from '../ports/clock.js';

/** How long to wait and when a lock counts as abandoned. */
export interface DirLockOptions {
  clock?: Clock;
  /** A lock older than this is stale whatever its pid (default 10 minutes). */
  staleMs?: number;
  /** Give up waiting after this long (default 2 minutes): E_SOURCE. */
  timeoutMs?: number;
  /** Poll interval while waiting (default 50 ms). */
  pollMs?: number;
}

/** What a lock file holds (also the file store's owner lock, src/store/file-owner.ts). */
export interface Owner {
  pid: number;
  host: string;
  at: number;
}

/** Runs `work` holding the lock on `dir` (file `<dir>.lock`); always releases it. */
export async function withDirLock<T>(dir: string, work: () => Promise<T>, o: DirLockOptions = {}): Promise<T> {
  const clock = o.clock ?? systemClock;
  const path = `${dir}.lock`;
  const me: Owner = { pid: process.pid, host: hostname(), at: clock.now() };
  const deadline = clock.now() + (o.timeoutMs ?? 120_000);
  for (;;) {
    if (await tryCreate(path, me)) break;
    const owner = await readOwner(path);
    if (owner === 'gone') continue;
    if (isStale(owner, clock.now(), o.staleMs ?? 600_000)) {
      await breakLock(path, owner);
      continue;
    }
    if (clock.now() >= deadline) {
      const who = owner.pid > 0 ? `pid ${owner.pid} on ${owner.host} since ${new Date(owner.at).toISOString()}` : 'an unknown owner';
      throw new KairosError('E_SOURCE', `git cache ${dir} is locked by ${who}; remove ${path} if that process is gone`);
    }
    await clock.sleep(o.pollMs ?? 50);
  }
  try {
    return await work();
  } finally {
    await unlink(path).catch(() => {});
  }
}

/** Creates the lock file with O_EXCL holding `me`; false when it already exists. */
export async function tryCreate(path: string, me: Owner): Promise<boolean> {
  try {
    const f = await open(path, 'wx');
    try {
      await f.writeFile(JSON.stringify(me));
    } finally {
      await f.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new KairosError('E_SOURCE', `cannot create lock ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The lock's owner, 'gone' when released meanwhile. A lock file without a readable owner
 * (being written, or its writer died) is judged by its age only (pid -1, no host).
 */
export async function readOwner(path: string): Promise<Owner | 'gone'> {
  try {
    const text = await readFile(path, 'utf8');
    try {
      const o = JSON.parse(text) as Owner;
      if (typeof o.pid === 'number' && typeof o.at === 'number' && typeof o.host === 'string') return o;
    } catch {
      // fall through: judged by age
    }
    return { pid: -1, host: '', at: (await stat(path)).mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw new KairosError('E_SOURCE', `cannot read lock ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function isStale(owner: Owner, now: number, staleMs: number): boolean {
  if (now - owner.at > staleMs) return true;
  return owner.host === hostname() && !isRunning(owner.pid);
}

/** Whether `pid` is a live process on this host. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock. It is first renamed aside, so two processes breaking it at once
 * cannot both succeed; if what was moved is not the stale lock that was judged (its owner
 * replaced it meanwhile), it is put back.
 */
export async function breakLock(path: string, stale: Owner): Promise<void> {
  const aside = `${path}.stale.${process.pid}`;
  try {
    await rename(path, aside);
  } catch {
    return; // someone else moved it: look again
  }
  const moved = await readOwner(aside).catch(() => 'gone' as const);
  if (moved !== 'gone' && (moved.pid !== stale.pid || moved.at !== stale.at)) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
}
