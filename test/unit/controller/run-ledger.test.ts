import { describe, expect, it } from 'vitest';
import { overHistory } from '../../../src/controller/history.js';
import { RunLedger } from '../../../src/controller/run-ledger.js';
import type { Run } from '../../../src/core/run.js';
import type { RunState } from '../../../src/core/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

function run(id: string, scheduledAt: number, state: RunState = 'pending', extra: Partial<Run> = {}): Run {
  const job = id.slice(0, id.indexOf('@'));
  return { id, job, trigger: 'schedule', scheduledAt, revision: 'r1', state, attempts: [], createdAt: scheduledAt, ...extra };
}

describe('RunLedger', () => {
  it('resets a finished run for a re-run and drops its DAG task runs in one commit', async () => {
    const store = new MemoryStore();
    const a = new RunLedger(store);
    await a.create(run('d@1', 1, 'failed', { attempts: [{ n: 1, taskId: 'kairos.d@1.1', intentAt: 1, notBefore: 1 }] }));
    await a.create(run('d@1/x', 1, 'failed', { dagRunId: 'd@1', task: 'x', attempts: [{ n: 1, taskId: 'kairos.d@1~x.1', intentAt: 1, notBefore: 1 }] }));
    await a.create(run('d@2/x', 2, 'succeeded', { dagRunId: 'd@2', task: 'x' }));
    const commits: number[] = [];
    const commit = store.commit.bind(store);
    store.commit = async (ops) => (commits.push(ops.length), commit(ops));
    await a.reset(run('d@1', 1, 'pending', { rerun: 1, trigger: 'backfill' }));
    expect(commits).toEqual([2]);
    expect((await store.list('runs')).sort()).toEqual(['d@1', 'd@2/x']);
    expect(a.get('d@1')).toMatchObject({ state: 'pending', rerun: 1, attempts: [] });
    expect(a.get('d@1/x')).toBeUndefined();
    expect(a.byTask('kairos.d@1.1')).toBeUndefined();
    const b = new RunLedger(store);
    await b.load();
    expect(b.ofJob('d').map((r) => r.id)).toEqual(['d@2/x', 'd@1']);
  });

  it('creates a run once: a second create of the same id is refused and leaves the first intact', async () => {
    const store = new MemoryStore();
    const a = new RunLedger(store);
    const b = new RunLedger(store);
    expect(await a.create(run('j@1', 1))).toBe(true);
    expect(await b.create(run('j@1', 1, 'running'))).toBe(false);
    expect(b.get('j@1')!.state).toBe('pending');
    expect((await store.list('runs')).length).toBe(1);
  });

  it('updates by compare-and-set and re-reads after another writer won', async () => {
    const store = new MemoryStore();
    const a = new RunLedger(store);
    const b = new RunLedger(store);
    await a.create(run('j@1', 1));
    await b.load();
    await a.update('j@1', (r) => ({ ...r, reason: 'from a' }));
    const seen: (string | undefined)[] = [];
    const after = await b.update('j@1', (r) => {
      seen.push(r.reason);
      return { ...r, state: 'running' };
    });
    expect(seen).toEqual([undefined, 'from a']);
    expect(after).toMatchObject({ state: 'running', reason: 'from a' });
  });

  it('indexes runs by Mesos task id and reloads everything from the store', async () => {
    const store = new MemoryStore();
    const a = new RunLedger(store);
    const attempt = { n: 1, taskId: 'kairos.j@1.1', intentAt: 1, notBefore: 1 };
    await a.create(run('j@1', 1, 'launching', { attempts: [attempt] }));
    await a.create(run('j@2', 2, 'succeeded'));
    const b = new RunLedger(store);
    await b.load();
    expect(b.byTask('kairos.j@1.1')?.id).toBe('j@1');
    expect(b.active().map((r) => r.id)).toEqual(['j@1']);
    expect(b.ofJob('j').map((r) => r.id)).toEqual(['j@2', 'j@1']);
    await b.remove(['j@1']);
    expect(b.byTask('kairos.j@1.1')).toBeUndefined();
    expect(await store.list('runs')).toEqual(['j@2']);
  });
});

describe('overHistory', () => {
  const limits = () => ({ succeeded: 2, failed: 1 });

  it('keeps the newest succeeded and failed runs per job, never an active one', () => {
    const runs = [
      run('a@1', 1, 'succeeded'),
      run('a@2', 2, 'failed'),
      run('a@3', 3, 'succeeded'),
      run('a@4', 4, 'timed_out'),
      run('a@5', 5, 'succeeded'),
      run('a@6', 6, 'running'),
      run('b@1', 1, 'succeeded'),
    ];
    expect(overHistory(runs, limits, 100).sort()).toEqual(['a@1', 'a@2']);
  });

  it('applies the global cap to the oldest finished runs across jobs, but keeps each job\'s newest run (its cursor)', () => {
    const runs = [run('a@1', 1, 'succeeded'), run('a@2', 2, 'succeeded'), run('b@3', 3, 'succeeded'), run('c@4', 4, 'succeeded'), run('d@0', 0, 'running')];
    expect(overHistory(runs, limits, 2)).toEqual(['a@1']);
    expect(overHistory([run('z@1', 1, 'failed'), run('z@2', 2, 'failed')], () => ({ succeeded: 0, failed: 0 }), 100)).toEqual(['z@1']);
  });

  it('keeps each job\'s manual run with the highest n, under the job limits and the cap, so manual ids never repeat', () => {
    const runs = [run('m@manual-9', 1, 'failed'), run('m@manual-10', 2, 'failed'), run('m@3', 3, 'failed'), run('m@4', 4, 'failed')];
    expect(overHistory(runs, limits, 100).sort()).toEqual(['m@3', 'm@manual-9']);
    expect(overHistory(runs, limits, 0).sort()).toEqual(['m@3', 'm@manual-9']);
  });

  it('uses Kubernetes defaults (3 succeeded, 1 failed) for jobs without limits, and drops DAG task runs with their DAG run', () => {
    const runs = [
      ...[1, 2, 3, 4].map((t) => run(`gone@${t}`, t, 'succeeded')),
      run('gone@1/x', 1, 'succeeded', { dagRunId: 'gone@1' }),
    ];
    expect(overHistory(runs, () => undefined, 100)).toEqual(['gone@1', 'gone@1/x']);
  });
});
