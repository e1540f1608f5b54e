/**
 * The run writes of one dispatch step share one store commit (RunLedger.writeMany through
 * RunLifecycle.execute): an offer round of N placements is one commit before persistLaunch
 * resolves (the framework sends ACCEPT only then, src/mesos/flow.ts). Judged by what the
 * store holds and how it was written (a store that logs every run write), not by timing.
 */
import { describe, expect, it } from 'vitest';
import { ControllerEmitter } from '../../../src/controller/events.js';
import { Dispatch, knownTasks } from '../../../src/controller/dispatch.js';
import { RunLedger } from '../../../src/controller/run-ledger.js';
import { RunLifecycle } from '../../../src/controller/runs.js';
import { KairosError } from '../../../src/core/errors.js';
import type { Run } from '../../../src/core/run.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { PlacedLaunch } from '../../../src/ports/mesos.js';
import type { StoreOp } from '../../../src/ports/store.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { dag, job } from '../schedule/harness.js';
import { outcomeOf } from '../../../src/mesos/status.js';
import { RecordingFramework } from './recording-framework.js';

const T0 = Date.parse('2026-03-08T07:00:00Z');
const N = 5;

/** A memory store that logs each successful write of `runs/` keys (`put`, or `commit` with how many runs), and can fail commits. */
class LoggingStore extends MemoryStore {
  log: string[] = [];
  failCommits = false;
  maxCommitBytes: number | undefined;
  private putting = false;
  override async put(key: string, value: unknown, expectedVersion?: number): Promise<number> {
    this.putting = true;
    try {
      const version = await super.put(key, value, expectedVersion);
      if (key.startsWith('runs/')) this.log.push(`put ${key}`);
      return version;
    } finally {
      this.putting = false;
    }
  }
  override async commit(ops: StoreOp[]): Promise<void> {
    const runs = ops.filter((op) => op.key.startsWith('runs/')).length;
    if (this.putting || runs === 0) return super.commit(ops);
    if (this.failCommits) throw new KairosError('E_UNAVAILABLE', 'store down');
    await super.commit(ops);
    this.log.push(`commit ${runs}`);
  }
  /** Every stored run, with its version. */
  async runs(): Promise<Map<string, { value: Run; version: number }>> {
    const ids = (await this.list('runs')).sort();
    return new Map(await Promise.all(ids.map(async (id) => [id, (await this.get<Run>(`runs/${id}`))!] as const)));
  }
}

/** A leader over `store` with N jobs applied, loaded from the store. */
async function leader(store: LoggingStore) {
  const framework = new RecordingFramework();
  const ledger = new RunLedger(store);
  await ledger.load();
  const clock = new FakeClock(T0);
  const events = new ControllerEmitter();
  const states: string[] = [];
  events.on('run:state', (e) => states.push(`${e.runId} ${e.state}`));
  const lifecycle = new RunLifecycle({ ledger, framework, clock, events, logger: silentLogger });
  const applied = new Map(Array.from({ length: N }, (_, i) => [`j${i}`, job(`j${i}`)] as const));
  const dispatch = new Dispatch({ lifecycle, ledger, clock, logger: silentLogger, applied: () => applied, effective: (a) => a, afterRunsEnded: async () => {}, clusterView: () => undefined });
  await dispatch.post({ type: 'Loaded' });
  return { store, ledger, dispatch, framework, states, applied };
}

/** N jobs requested once each (N runs, N launches asked for), over a logging store. */
async function requested(store = new LoggingStore()) {
  const h = await leader(store);
  for (const name of h.applied.keys()) await h.dispatch.post({ type: 'RunRequested', job: name });
  const placed: PlacedLaunch[] = h.framework.launched.map((request, i) => ({ request, agentId: `a${i}`, hostname: `h${i}` }));
  store.log.length = 0;
  h.states.length = 0;
  return { ...h, placed };
}

describe('one store commit per step of run writes', () => {
  it('writes an offer round of N placements in one commit, landed before persistLaunch resolves (before ACCEPT)', async () => {
    const h = await requested();
    expect(h.placed).toHaveLength(N);
    await h.dispatch.hooks.persistLaunch(h.placed).then(() => h.store.log.push('accept'));
    expect(h.store.log).toEqual([`commit ${N}`, 'accept']);
    for (const [id, { value }] of await h.store.runs()) {
      expect(value).toMatchObject({ state: 'launching' });
      expect(value.attempts[0].agentId).toBe(h.placed.find((p) => p.request.runId === id)!.agentId);
      expect(h.ledger.get(id)).toEqual(value);
    }
    expect(h.states).toHaveLength(N); // each run reported once, as launching
  });

  it('creates the runs of one tick in one commit, and launches only what it created', async () => {
    const store = new LoggingStore();
    const other = new RunLedger(store);
    const framework = new RecordingFramework();
    const ledger = new RunLedger(store);
    const clock = new FakeClock(T0 - 1000);
    const lifecycle = new RunLifecycle({ ledger, framework, clock, events: new ControllerEmitter(), logger: silentLogger });
    const applied = new Map(Array.from({ length: N }, (_, i) => [`j${i}`, job(`j${i}`, { schedule: { kind: 'cron', expression: '* * * * *', timeZone: 'UTC' } })] as const));
    const dispatch = new Dispatch({ lifecycle, ledger, clock, logger: silentLogger, applied: () => applied, effective: (a) => a, afterRunsEnded: async () => {}, clusterView: () => undefined });
    await dispatch.post({ type: 'Loaded' });
    store.log.length = 0;
    framework.launched.length = 0;
    clock.set(T0);
    await dispatch.post({ type: 'Tick' });
    expect(store.log).toEqual([`commit ${N}`]);
    expect(framework.launched.map((l) => l.job).sort()).toEqual([...applied.keys()]);
    // Another process computed the next minute's j2 first: the batch loses its compare-and-set,
    // falls back to one create at a time, and j2's run is neither overwritten nor launched.
    const taken = { ...ledger.get(framework.launched[0].runId)!, id: 'j2@2026-03-08T07:01:00.000Z', job: 'j2', scheduledAt: T0 + 60_000, attempts: [] };
    expect(await other.create(taken)).toBe(true);
    framework.launched.length = 0;
    store.log.length = 0;
    clock.set(T0 + 60_000);
    await dispatch.post({ type: 'Tick' });
    expect(store.log.sort()).toEqual(['j0', 'j1', 'j3', 'j4'].map((j) => `put runs/${j}@2026-03-08T07:01:00.000Z`));
    expect(framework.launched.map((l) => l.job).sort()).toEqual(['j0', 'j1', 'j3', 'j4']);
    expect((await store.get<Run>(`runs/${taken.id}`))!.version).toBe(0);
  });

  it('writes a status and the runs it caused (a DAG task ending, two tasks following) in one commit before the acknowledgement', async () => {
    const store = new LoggingStore();
    const framework = new RecordingFramework();
    const ledger = new RunLedger(store);
    const clock = new FakeClock(T0);
    const lifecycle = new RunLifecycle({ ledger, framework, clock, events: new ControllerEmitter(), logger: silentLogger });
    const applied = new Map([['d', dag('d', [{ name: 'x' }, { name: 'y', dependsOn: ['x'] }, { name: 'z', dependsOn: ['x'] }])]]);
    const dispatch = new Dispatch({ lifecycle, ledger, clock, logger: silentLogger, applied: () => applied, effective: (a) => a, afterRunsEnded: async () => {}, clusterView: () => undefined });
    await dispatch.post({ type: 'Loaded' });
    await dispatch.post({ type: 'RunRequested', job: 'd' });
    const [x] = framework.launched.splice(0);
    await dispatch.hooks.persistLaunch([{ request: x, agentId: 'a1', hostname: 'h1' }]);
    store.log.length = 0;
    await dispatch.hooks.onStatus({ taskId: x.taskId, mesosState: 'TASK_FINISHED', outcome: outcomeOf('TASK_FINISHED'), exitStatus: 0, agentId: 'a1', at: T0 + 1000, fromReconciliation: false });
    expect(store.log).toEqual(['commit 3']); // x ended, y and z created
    expect(framework.launched.map((l) => l.runId.split('/').at(-1)).sort()).toEqual(['y', 'z']);
    expect((await store.get<Run>(`runs/${x.runId}`))!.value.state).toBe('succeeded');
  });

  it('falls back to one write per run when a run changed underneath, and still writes every run once', async () => {
    const h = await requested();
    const victim = h.placed[2].request.runId;
    const before = await h.store.runs();
    // Another writer (the SLA check) changed one run since the mirror read it.
    await new RunLedger(h.store).update(victim, (r) => ({ ...(r as Run), slaMissedAt: T0 + 1 }));
    h.store.log.length = 0;
    await h.dispatch.hooks.persistLaunch(h.placed);
    expect(h.store.log.filter((l) => l.startsWith('commit'))).toEqual([]); // the batch was refused whole
    expect(h.store.log.filter((l) => l.startsWith('put')).sort()).toEqual(h.placed.map((p) => `put runs/${p.request.runId}`).sort());
    for (const [id, { value, version }] of await h.store.runs()) {
      expect(value).toMatchObject({ state: 'launching' });
      expect(version).toBe(before.get(id)!.version + (id === victim ? 2 : 1)); // one placement write each
    }
    expect(h.ledger.get(victim)).toMatchObject({ state: 'launching', slaMissedAt: T0 + 1 });
    expect(h.states).toHaveLength(N);
  });

  it('leaves the store and the mirror unchanged and refuses the round (no ACCEPT) when the commit fails', async () => {
    const h = await requested();
    const before = await h.store.runs();
    const mirror = h.placed.map((p) => structuredClone(h.ledger.get(p.request.runId)));
    h.store.failCommits = true;
    await expect(h.dispatch.hooks.persistLaunch(h.placed)).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    expect(await h.store.runs()).toEqual(before);
    expect(h.placed.map((p) => h.ledger.get(p.request.runId))).toEqual(mirror);
    expect(h.states).toEqual([]);
  });

  it('leaves a new leader every placement of the round or none, whichever side of the commit the old one died on', async () => {
    for (const landed of [true, false]) {
      const h = await requested();
      const commit = h.store.commit.bind(h.store);
      // The process dies inside the commit: after ZooKeeper applied it (reply lost), or before.
      h.store.commit = async (ops) => {
        if (landed) await commit(ops);
        throw new KairosError('E_UNAVAILABLE', 'connection lost');
      };
      await expect(h.dispatch.hooks.persistLaunch(h.placed)).rejects.toThrow();
      h.store.commit = commit;
      await h.dispatch.stop();
      const next = await leader(h.store); // a new leader over the same store
      const states = next.ledger.all().map((r) => r.state);
      expect(states).toEqual(Array(N).fill(landed ? 'launching' : 'pending'));
      // Placed runs go to reconciliation, never launched again; unplaced ones are launched again, under the same task ids.
      expect(knownTasks(next.ledger.all()).map((k) => k.taskId).sort()).toEqual(landed ? h.placed.map((p) => p.request.taskId).sort() : []);
      expect(next.framework.launched.map((l) => l.taskId).sort()).toEqual(landed ? [] : h.placed.map((p) => p.request.taskId).sort());
    }
  });

  it('splits a batch larger than the store commits in one step into several commits, all landed before persistLaunch resolves', async () => {
    const store = new LoggingStore();
    const h = await requested(store);
    const oneRun = JSON.stringify(h.ledger.get(h.placed[0].request.runId)).length + 300;
    store.maxCommitBytes = 2 * oneRun;
    await h.dispatch.hooks.persistLaunch(h.placed).then(() => store.log.push('accept'));
    expect(store.log).toEqual(['commit 2', 'commit 2', 'commit 1', 'accept']);
    for (const { value } of (await store.runs()).values()) expect(value.state).toBe('launching');
  });

  it('a split batch failing after its first commit: the mirror holds what landed, a new leader reconciles those and launches only the rest', async () => {
    const store = new LoggingStore();
    const h = await requested(store);
    const oneRun = JSON.stringify(h.ledger.get(h.placed[0].request.runId)).length + 300;
    store.maxCommitBytes = 2 * oneRun;
    const commit = store.commit.bind(store);
    let commits = 0;
    store.commit = async (ops) => {
      if (ops.some((op) => op.key.startsWith('runs/')) && ++commits === 2) throw new KairosError('E_UNAVAILABLE', 'connection lost');
      return commit(ops);
    };
    await expect(h.dispatch.hooks.persistLaunch(h.placed)).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    store.commit = commit;
    const stored = await store.runs();
    const states = [...stored.values()].map((r) => r.value.state);
    expect(states.filter((x) => x === 'launching')).toHaveLength(2); // the first commit (two runs) landed
    expect(states.filter((x) => x === 'pending')).toHaveLength(N - 2);
    for (const [id, r] of stored) expect(h.ledger.get(id)?.state).toBe(r.value.state); // the mirror as the store holds it
    await h.dispatch.stop();
    const next = await leader(store);
    const landed = [...stored].filter(([, r]) => r.value.state === 'launching').map(([id]) => id);
    const landedTasks = h.placed.filter((p) => landed.includes(p.request.runId)).map((p) => p.request.taskId).sort();
    const rest = h.placed.filter((p) => !landed.includes(p.request.runId)).map((p) => p.request.taskId).sort();
    expect(knownTasks(next.ledger.all()).map((k) => k.taskId).sort()).toEqual(landedTasks);
    expect(next.framework.launched.map((l) => l.taskId).sort()).toEqual(rest);
  });
});

