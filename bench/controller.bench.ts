/**
 * Controller figures (src/controller): one sync pass over 1,000 manifests (read, validate,
 * plan, apply), the run lifecycle for 1,000 jobs firing in the same minute (run written
 * before launch, placement, RUNNING and FINISHED recorded, history bounded) against the
 * memory store and a framework double that answers at once, and the API's jobs table
 * read from the view. Time is a fake clock; figures are wall time on this machine.
 */
import { outcomeOf } from '../src/mesos/status.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './run.js';
import { Controller } from '../src/controller/controller.js';
import { soloLeadership } from '../src/ports/leader.js';
import { silentLogger } from '../src/ports/logger.js';
import type { FrameworkHooks, LaunchRequest } from '../src/ports/mesos.js';
import { DirectorySource } from '../src/source/directory.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { jobManifest } from '../test/support/job-manifest.js';
import { RecordingFramework } from '../test/unit/controller/recording-framework.js';

export const title = 'Controller (src/controller)';

const JOBS = 1000;

/** Places every launch at once and reports RUNNING then FINISHED, like a very fast cluster. */
class InstantFramework extends RecordingFramework {
  hooks!: FrameworkHooks;
  work: Promise<void>[] = [];
  constructor(private readonly clock: FakeClock) {
    super();
  }
  override launch(requests: LaunchRequest[]): void {
    super.launch(requests);
    this.work.push(this.play(requests));
  }
  private async play(requests: LaunchRequest[]): Promise<void> {
    await this.hooks.persistLaunch(requests.map((request) => ({ request, agentId: 'a1', hostname: 'h1' })));
    for (const state of ['TASK_RUNNING', 'TASK_FINISHED']) {
      await Promise.all(
        requests.map((r) =>
          this.hooks.onStatus({ taskId: r.taskId, mesosState: state, outcome: outcomeOf(state), agentId: 'a1', at: this.clock.now(), exitStatus: 0, fromReconciliation: false }),
        ),
      );
    }
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'kairos-bench-ctl-'));
  try {
    for (let i = 0; i < JOBS; i++) await writeFile(join(dir, `job-${i}.yaml`), jobManifest(`job-${i}`, '* * * * *', 'true'));
    const clock = new FakeClock('2026-03-08T07:00:30Z');
    const framework = new InstantFramework(clock);
    const controller = new Controller({
      store: new MemoryStore(),
      source: new DirectorySource(dir),
      clock,
      logger: silentLogger,
      leadership: soloLeadership('http://127.0.0.1:0'),
      framework: (hooks) => ((framework.hooks = hooks), framework),
      pollMs: 0,
      prune: false,
      allowMassPrune: false,
      historyCap: 10_000,
    });
    const synced = controller.events.next('sync:ok');
    let t = performance.now();
    await controller.start();
    await synced;
    const syncMs = performance.now() - t;

    const rows: BenchRow[] = [{ name: `first sync of ${JOBS} manifests (read, validate, plan, apply)`, value: Math.round(syncMs), unit: 'ms' }];
    let ended = 0;
    controller.events.on('run:state', (e) => void (e.state === 'succeeded' && ended++));
    let minutes = 0;
    t = performance.now();
    for (; minutes < 3; minutes++) {
      const target = JOBS * (minutes + 1);
      const all = new Promise<void>((resolve) => {
        const off = controller.events.on('run:state', () => ended >= target && (off(), resolve()));
      });
      await clock.advanceAsync(60_000);
      await all;
    }
    const runMs = performance.now() - t;
    const runs = JOBS * minutes;
    const succeeded = controller.view.jobs().filter((j) => j.lastRun?.state === 'succeeded').length;
    rows.push({
      name: `${runs} runs end to end (written, launched, placed, RUNNING, FINISHED, history)`,
      value: Math.round(runs / (runMs / 1000)),
      unit: 'runs/s',
      note: `${succeeded}/${JOBS} jobs show a succeeded last run`,
    });
    t = performance.now();
    for (let i = 0; i < 10; i++) controller.view.jobs();
    rows.push({ name: `jobs table (view.jobs) with ${JOBS} jobs and their runs`, value: +((performance.now() - t) / 10).toFixed(1), unit: 'ms' });
    await controller.stop();
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
