/**
 * One writer per file store. `kairos serve` (and an applying `kairos reconcile`) hold
 * `<store>.lock` for as long as they have the store open: a file created with O_EXCL that
 * names the owner's pid, host and start time. A second writer is refused at once with the
 * holder's pid (two controllers on one file would run every instant twice, and the later
 * write would erase the earlier). A lock whose pid no longer runs on this host is stale
 * (the owner was killed) and taken over. The lock primitives are the git cache lock's
 * (src/source/dir-lock.ts); unlike that lock this one is never waited for.
 */
import { hostname } from 'node:os';
import { unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { KairosError } from '../core/errors.js';
import { breakLock, isRunning, readOwner, tryCreate, type Owner } from '../source/dir-lock.js';

/** A held owner lock; `release()` removes it (also done on process exit). */
export interface OwnerLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Raised when another live process owns the store; `owner` is its lock record. */
export class StoreOwnedError extends KairosError {
  constructor(
    readonly store: string,
    readonly owner: Owner,
  ) {
    super('E_UNAVAILABLE', `store ${store} is in use by pid ${owner.pid} on ${owner.host || 'an unknown host'} (since ${new Date(owner.at).toISOString()}); one process writes a store at a time. If that process is gone, remove ${store}.lock`);
    this.name = 'StoreOwnedError';
  }
}

/** Takes the owner lock of the store file `path`, or throws StoreOwnedError. */
export async function acquireOwnerLock(path: string, now: number): Promise<OwnerLock> {
  const lockPath = `${path}.lock`;
  const me: Owner = { pid: process.pid, host: hostname(), at: now };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(lockPath, me)) return held(lockPath);
    const owner = await readOwner(lockPath);
    if (owner === 'gone') continue;
    if (owner.host === hostname() && !isRunning(owner.pid)) {
      await breakLock(lockPath, owner);
      continue;
    }
    throw new StoreOwnedError(path, owner);
  }
  throw new KairosError('E_UNAVAILABLE', `cannot take the lock ${lockPath}: it keeps changing owner`);
}

/**
 * Throws StoreOwnedError when a live process holds the lock now, without taking it: lets
 * `kairos serve` refuse before it starts anything else (the lock itself is taken later).
 */
export async function refuseIfOwned(path: string): Promise<void> {
  const owner = await readOwner(`${path}.lock`).catch(() => 'gone' as const);
  if (owner === 'gone' || owner.pid < 0) return;
  if (owner.host === hostname() && !isRunning(owner.pid)) return;
  throw new StoreOwnedError(path, owner);
}

function held(path: string): OwnerLock {
  const onExit = () => {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);
  return {
    path,
    release: async () => {
      process.removeListener('exit', onExit);
      await unlink(path).catch(() => undefined);
    },
  };
}
