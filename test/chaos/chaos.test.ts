/**
 * The short chaos run of `npm test` (about 3 minutes for both setups): faults hit the
 * controllers, ZooKeeper, the agent and the tasks while a 5-second job fires; then every
 * instant of the window must have exactly one successful side effect and one succeeded run.
 * Judged at the end only, with generous waits, so a loaded 2-core machine is slower, not red.
 * `CHAOS_SEED=n` replays a run; `npm run chaos -- --minutes 30` is the long version.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runChaos, type ChaosReport } from './chaos.js';

const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 2 ** 31);

function judge(r: ChaosReport): void {
  process.stdout.write(formatReport(r) + '\n');
  expect({ seed: r.seed, forbid: r.forbid.bad, duplicates: r.duplicates, lost: r.lost, withoutRun: r.withoutRun, failedRuns: r.failedRuns }).toEqual({
    seed: r.seed,
    forbid: [],
    duplicates: [],
    lost: [],
    withoutRun: [],
    failedRuns: [],
  });
  expect(r.succeeded, `seed ${r.seed}`).toBe(r.instants);
  expect(r.instants).toBeGreaterThan(5);
  expect(Object.values(r.kills).reduce((a, b) => a + b, 0)).toBeGreaterThan(2);
}

describe('chaos: every instant has exactly one successful side effect', () => {
  it(`one controller, file store, embedded master (seed ${seed})`, async () => {
    judge(await runChaos({ setup: 'file', seconds: 45, seed }));
  }, 420_000);

  it(`three controllers on ZooKeeper, one embedded master process (seed ${seed})`, async () => {
    judge(await runChaos({ setup: 'zk', seconds: 45, seed: seed + 1 }));
  }, 420_000);
});
