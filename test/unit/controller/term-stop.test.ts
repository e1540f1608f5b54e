/**
 * A leadership term whose stop hangs (here: a framework whose stop never ends, as a Mesos
 * or ZooKeeper call that is never answered would) is left behind after TERM_STOP_WITHIN_MS:
 * the controller that lost leadership follows the store again (its read view shows what the
 * new leader records), and a stop (SIGTERM) ends, also while a term's start waits on a store
 * write that is never answered. Judged by what the view shows and whether stop() resolves,
 * on the fake clock.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Controller, type ControllerOptions } from '../../../src/controller/controller.js';
import { TERM_STOP_WITHIN_MS } from '../../../src/controller/leader-term.js';
import { outcomeOf } from '../../../src/mesos/status.js';
import { soloLeadership } from '../../../src/ports/leader.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { FrameworkHooks } from '../../../src/ports/mesos.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { jobManifest } from '../../support/job-manifest.js';
import { RecordingFramework } from './recording-framework.js';
import { SwitchedLeadership } from './switched-leadership.js';

/** A framework whose stop never ends. */
class HangingFramework extends RecordingFramework {
  override stop(): Promise<void> {
    this.stopped = true;
    return new Promise(() => undefined);
  }
}

/** A store whose writes, once `hang` is set, are never answered (reads still are). */
class HangingStore extends MemoryStore {
  hang = false;
  override put(...a: Parameters<MemoryStore['put']>) {
    return this.hang ? new Promise<number>(() => undefined) : super.put(...a);
  }
  override delete(...a: Parameters<MemoryStore['delete']>) {
    return this.hang ? new Promise<void>(() => undefined) : super.delete(...a);
  }
  override commit(...a: Parameters<MemoryStore['commit']>) {
    return this.hang ? new Promise<void>(() => undefined) : super.commit(...a);
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('a leadership term that cannot stop', () => {
  let dir: string;
  let clock: FakeClock;
  let store: HangingStore;
  const built: Controller[] = [];
  const controller = (o: Pick<ControllerOptions, 'leadership' | 'framework'>) => {
    const c = new Controller({ store, source: new DirectorySource(dir), clock, logger: silentLogger, pollMs: 0, prune: true, allowMassPrune: true, historyCap: 100, ...o });
    built.push(c);
    return c;
  };
  const leading = async (c: Controller, lead: SwitchedLeadership) => {
    await c.start();
    const synced = c.events.next('sync:ok');
    lead.set(true);
    await synced;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-term-stop-'));
    await writeFile(join(dir, 'hello.yaml'), jobManifest('hello', '* * * * *', 'echo hello'));
    clock = new FakeClock('2026-03-08T07:00:30Z');
    store = new HangingStore();
  });
  afterEach(async () => {
    for (const c of built.splice(0)) void c.stop();
    await clock.advanceAsync(TERM_STOP_WITHIN_MS);
    await rm(dir, { recursive: true, force: true });
  });

  it('is left behind on losing leadership, and the follower view then shows what the new leader records', async () => {
    const lead = new SwitchedLeadership();
    const stuck = new HangingFramework();
    const old = controller({ leadership: lead, framework: () => stuck });
    await leading(old, lead);
    let followed = false;
    void old.events.next('leadership', (e) => !e.leading).then(() => (followed = true));
    lead.set(false);
    await clock.advanceAsync(TERM_STOP_WITHIN_MS - 1);
    await settle();
    expect(stuck.stopped).toBe(true);
    expect(followed).toBe(false);
    await clock.advanceAsync(1);
    await settle();
    expect(followed).toBe(true);

    // A new leader runs the 07:01 instant to its end; the old one's view must show it.
    const fw = new RecordingFramework();
    let hooks!: FrameworkHooks;
    const next = controller({ leadership: soloLeadership('http://127.0.0.1:1'), framework: (h) => ((hooks = h), fw) });
    const synced = next.events.next('sync:ok');
    await next.start();
    await synced;
    await clock.advanceAsync(60_000 - (clock.now() % 60_000));
    const req = fw.launched[0];
    expect(req.runId).toBe('hello@2026-03-08T07:01:00.000Z');
    await hooks.persistLaunch([{ request: req, agentId: 'agent-1', hostname: 'host-1' }]);
    for (const state of ['TASK_RUNNING', 'TASK_FINISHED']) {
      await hooks.onStatus({ taskId: req.taskId, mesosState: state, outcome: outcomeOf(state), agentId: 'agent-1', at: clock.now(), fromReconciliation: false, ...(state === 'TASK_FINISHED' && { exitStatus: 0 }) });
    }
    expect(next.view.run(req.runId)?.state).toBe('succeeded');
    await clock.advanceAsync(10_000);
    await settle();
    expect(old.view.run(req.runId)?.state).toBe('succeeded');
  });

  it('does not keep a stop (SIGTERM) from ending', async () => {
    const lead = new SwitchedLeadership();
    const c = controller({ leadership: lead, framework: () => new HangingFramework() });
    await leading(c, lead);
    let stopped = false;
    void c.stop().then(() => (stopped = true));
    await clock.advanceAsync(TERM_STOP_WITHIN_MS - 1);
    await settle();
    expect(stopped).toBe(false);
    await clock.advanceAsync(1);
    await settle();
    expect(stopped).toBe(true);
  });

  it('does not keep a stop (SIGTERM) from ending while the term is still starting (its state load hangs)', async () => {
    const lead = new SwitchedLeadership();
    const c = controller({ leadership: lead, framework: () => new RecordingFramework() });
    await leading(c, lead);
    const idle = c.events.next('leadership', (e) => !e.leading);
    lead.set(false);
    await idle;
    // 07:01 passes while it follows; leading again at 07:01:30, the load decides to run it and writes.
    await clock.advanceAsync(60_000);
    store.hang = true;
    lead.set(true);
    await settle();
    let stopped = false;
    void c.stop().then(() => (stopped = true));
    await clock.advanceAsync(2 * TERM_STOP_WITHIN_MS);
    await settle();
    expect(stopped).toBe(true);
  });
});
