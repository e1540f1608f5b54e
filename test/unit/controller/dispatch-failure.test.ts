import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Controller, LEAD_RETRY_MS } from '../../../src/controller/controller.js';
import { FencedError, KairosError } from '../../../src/core/errors.js';
import { soloLeadership, type Leadership } from '../../../src/ports/leader.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { StoreOp } from '../../../src/ports/store.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobManifest } from '../../support/job-manifest.js';
import { RecordingFramework } from './recording-framework.js';
import { SwitchedLeadership } from './switched-leadership.js';

/** A memory store whose writes (puts and commits) to keys starting with `failing` throw `fail(key)`, while `failing` is set. */
class FlakyStore extends MemoryStore {
  failing: string | undefined;
  fail = (key: string): Error => new KairosError('E_UNAVAILABLE', `store down writing ${key}`);
  override async put(key: string, value: unknown, expectedVersion?: number): Promise<number> {
    if (this.failing && key.startsWith(this.failing)) throw this.fail(key);
    return super.put(key, value, expectedVersion);
  }
  /** Commits (a run written with its neighbours: RunLedger.writeMany) fail the same way. */
  override async commit(ops: StoreOp[]): Promise<void> {
    const failing = this.failing && ops.find((op) => op.key.startsWith(this.failing!));
    if (failing) throw this.fail(failing.key);
    return super.commit(ops);
  }
  /** Reads of the whole store fail while `unreadable` is set. */
  unreadable = false;
  override async list(collection: string): Promise<string[]> {
    if (this.unreadable) throw new KairosError('E_UNAVAILABLE', `store down listing ${collection}`);
    return super.list(collection);
  }
}

let built: Controller;

/** A controller over `dir`, a flaky store and a recording framework on a fake clock (also left in `built`). */
function build(dir: string, leadership: Leadership = soloLeadership('http://127.0.0.1:0')) {
  const store = new FlakyStore();
  const clock = new FakeClock('2026-03-08T07:00:30Z');
  const framework = new RecordingFramework();
  built = new Controller({
    store,
    source: new DirectorySource(dir),
    clock,
    logger: silentLogger,
    leadership,
    framework: () => framework,
    pollMs: 0,
    prune: true,
    allowMassPrune: true,
    historyCap: 100,
    syncBackoff: { initialMs: 1000, maxMs: 1000 },
  });
  return { store, clock, framework };
}

/** Lets every pending promise chain run (the memory store resolves without I/O). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Writes an every-minute job per name, starts the controller and waits for its first sync. */
async function startWith(controller: Controller, dir: string, jobs: string[]): Promise<void> {
  for (const name of jobs) await writeFile(join(dir, `${name}.yaml`), jobManifest(name, '* * * * *', `echo ${name}`));
  const synced = controller.events.next('sync:ok');
  await controller.start();
  await synced;
}

describe('Controller: store writes failing mid-way', () => {
  let dir: string;
  let controller: Controller;
  afterEach(async () => {
    await controller.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-dispatch-fail-'));
  });

  it('launches the run whose intent was written and records the one whose write failed, each once, after the store recovers', async () => {
    const { store, clock, framework } = build(dir);
    controller = built;
    await startWith(controller, dir, ['a', 'b']);
    // 07:01: `a` is written, then the write of `b` fails (the store is unreachable).
    store.failing = 'runs/b@';
    await clock.advanceAsync(30_000);
    expect(framework.launched).toEqual([]);
    store.failing = undefined;
    await clock.advanceAsync(5_000);
    await settle();
    const minute = 'a@2026-03-08T07:01:00.000Z';
    expect(framework.launched.map((l) => l.runId).sort()).toEqual([minute, 'b@2026-03-08T07:01:00.000Z']);
    expect(controller.view.run(minute)?.state).toBe('pending');
    expect(controller.view.run('b@2026-03-08T07:01:00.000Z')?.state).toBe('pending');
  });

  it('schedules what the failed pass applied once a later pass succeeds', async () => {
    const { store, clock, framework } = build(dir);
    controller = built;
    await startWith(controller, dir, []);
    await writeFile(join(dir, 'b.yaml'), jobManifest('b', '* * * * *', 'echo b'));
    // The apply commits, then recording the sync outcome fails: the pass fails and is retried.
    store.failing = 'meta/sync';
    const failed = controller.events.next('sync:error');
    controller.triggerSync('test');
    expect((await failed).code).toBe('E_UNAVAILABLE');
    store.failing = undefined;
    const retried = controller.events.next('sync:ok');
    await clock.advanceAsync(1000);
    await retried;
    await clock.advanceAsync(29_000);
    await settle();
    expect(framework.launched.map((l) => l.runId)).toEqual(['b@2026-03-08T07:01:00.000Z']);
  });

  it('leadership lost in the middle of a batch: the deposed leader launches nothing; the next term launches each run once', async () => {
    const leadership = new SwitchedLeadership();
    leadership.set(true);
    const { store, clock, framework } = build(dir, leadership);
    controller = built;
    await startWith(controller, dir, ['a', 'b']);
    // 07:01: `a` is written; writing `b` finds the epoch over, and leadership goes.
    store.failing = 'runs/b@';
    store.fail = (key) => {
      leadership.set(false);
      return new FencedError(`deposed writing ${key}`);
    };
    await clock.advanceAsync(30_000);
    await controller.whenReady();
    expect(framework.launched).toEqual([]);
    store.failing = undefined;
    await clock.advanceAsync(5_000);
    expect(framework.launched).toEqual([]);
    leadership.set(true);
    await controller.whenReady();
    await clock.advanceAsync(1);
    await settle();
    expect(framework.launched.map((l) => l.runId).sort()).toEqual(['a@2026-03-08T07:01:00.000Z', 'b@2026-03-08T07:01:00.000Z']);
  });

  it('a store that cannot be read at the moment leadership is won: the controller retries, then leads', async () => {
    const leadership = new SwitchedLeadership();
    const { store, clock, framework } = build(dir, leadership);
    controller = built;
    await writeFile(join(dir, 'a.yaml'), jobManifest('a', '* * * * *', 'echo a'));
    await controller.start();
    store.unreadable = true;
    leadership.set(true);
    await controller.whenReady();
    store.unreadable = false;
    const synced = controller.events.next('sync:ok');
    await clock.advanceAsync(LEAD_RETRY_MS);
    await controller.whenReady();
    await synced;
    await clock.advanceAsync(30_000);
    await settle();
    expect(framework.launched.map((l) => l.runId)).toEqual(['a@2026-03-08T07:01:00.000Z']);
  });
});
