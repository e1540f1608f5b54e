import { outcomeOf } from '../../../src/mesos/status.js';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Controller } from '../../../src/controller/controller.js';
import type { Run } from '../../../src/core/run.js';
import { soloLeadership, type Leadership } from '../../../src/ports/leader.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { FrameworkHooks, LaunchRequest } from '../../../src/ports/mesos.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { StoreLayout } from '../../../src/store/layout.js';
import { FakeClock } from '../../support/fake-clock.js';
import { gate } from '../../support/gate.js';
import { jobManifest } from '../../support/job-manifest.js';
import { RecordingFramework } from './recording-framework.js';
import { SwitchedLeadership } from './switched-leadership.js';

const job = (name: string, cron: string) => jobManifest(name, cron, `echo ${name}`);

/** A controller over a temp directory, a memory store and a recording framework on a fake clock. */
class Harness {
  framework = new RecordingFramework();
  hooks!: FrameworkHooks;
  /** Frameworks built: one per leadership term. */
  terms = 0;
  controller: Controller;
  constructor(
    readonly dir: string,
    readonly store: MemoryStore,
    readonly clock: FakeClock,
    leadership: Leadership = soloLeadership('http://127.0.0.1:0'),
  ) {
    this.controller = new Controller({
      store,
      source: new DirectorySource(dir),
      clock,
      logger: silentLogger,
      leadership,
      framework: (hooks) => ((this.hooks = hooks), this.terms++, this.framework),
      pollMs: 0,
      prune: true,
      allowMassPrune: true,
      historyCap: 100,
    });
  }

  async start(): Promise<void> {
    const synced = this.controller.events.next('sync:ok');
    await this.controller.start();
    await synced;
  }

  async sync(): Promise<void> {
    const done = Promise.race([this.controller.events.next('sync:ok'), this.controller.events.next('sync:error')]);
    this.controller.triggerSync('test');
    await done;
  }

  /** Plays Mesos: places the launch on an agent, then reports each state in turn. */
  async play(req: LaunchRequest, states: string[], exitStatus = 0): Promise<void> {
    await this.hooks.persistLaunch([{ request: req, agentId: 'agent-1', hostname: 'host-1' }]);
    for (const state of states) {
      const final = state !== 'TASK_RUNNING';
      await this.hooks.onStatus({
        taskId: req.taskId,
        mesosState: state,
        outcome: outcomeOf(state),
        agentId: 'agent-1',
        at: this.clock.now(),
        fromReconciliation: false,
        ...(final && { exitStatus }),
      });
    }
  }

  run(id: string): Run | undefined {
    return this.controller.view.run(id);
  }

  /** Applies an every-minute `hello`, lets its 07:01 run start and returns its launch. */
  async helloRunning(): Promise<LaunchRequest> {
    await writeFile(join(this.dir, 'hello.yaml'), job('hello', '* * * * *'));
    await this.start();
    await this.clock.advanceAsync(30_000);
    const req = this.framework.launched[0];
    await this.play(req, ['TASK_RUNNING']);
    return req;
  }
}

describe('Controller', () => {
  let dir: string;
  let h: Harness;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kairos-ctl-'));
    h = new Harness(dir, new MemoryStore(), new FakeClock('2026-03-08T07:00:30Z'));
  });
  afterEach(async () => {
    await h.controller.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies a job, launches it at its instant, records the run to its end, and shows it in the view', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    expect(h.controller.view.jobs().map((j) => [j.name, j.nextRunAt])).toEqual([['hello', Date.parse('2026-03-08T07:01:00Z')]]);
    await h.clock.advanceAsync(29_999);
    expect(h.framework.launched).toEqual([]);
    await h.clock.advanceAsync(1);
    expect(h.framework.launched.map((l) => l.runId)).toEqual(['hello@2026-03-08T07:01:00.000Z']);
    await h.play(h.framework.launched[0], ['TASK_RUNNING', 'TASK_FINISHED']);
    expect(h.run('hello@2026-03-08T07:01:00.000Z')).toMatchObject({
      state: 'succeeded',
      revision: expect.stringMatching(/^sha256:/),
      attempts: [{ agentId: 'agent-1', hostname: 'host-1', exitStatus: 0, startedAt: Date.parse('2026-03-08T07:01:00Z') }],
    });
    expect(h.controller.view.jobs()[0].lastRun).toMatchObject({ state: 'succeeded', exitStatus: 0 });
  });

  it('a schedule change stops the old schedule; a broken manifest changes nothing and is visible; deletion with prune removes the job', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    await writeFile(join(dir, 'hello.yaml'), job('hello', '0 * * * *'));
    await h.sync();
    await h.clock.advanceAsync(30_000 + 58 * 60_000);
    expect(h.framework.launched).toEqual([]);
    await h.clock.advanceAsync(60_000);
    expect(h.framework.launched.map((l) => l.runId)).toEqual(['hello@2026-03-08T08:00:00.000Z']);

    await writeFile(join(dir, 'hello.yaml'), job('hello', 'not cron'));
    await h.sync();
    const sync = h.controller.view.sync();
    expect(sync.result).toBe('failed');
    expect(sync.problems[0]).toMatchObject({ file: 'hello.yaml', line: 7 });
    expect(h.controller.view.job('hello')!.schedule).toBe('cron 0 * * * * (UTC)');

    await unlink(join(dir, 'hello.yaml'));
    await h.sync();
    expect(h.controller.view.jobs()).toEqual([]);
    await h.clock.advanceAsync(2 * 3600_000);
    expect(h.framework.launched).toHaveLength(1);
  });

  it('after a restart, a placed run is handed to reconciliation and finishes; it is never launched again', async () => {
    const req = await h.helloRunning();
    await h.controller.stop();

    const again = new Harness(dir, h.store, h.clock);
    h = again;
    await again.start();
    expect(again.framework.started[0]).toEqual({ force: true, knownTasks: [{ taskId: req.taskId, agentId: 'agent-1' }] });
    expect(again.framework.launched).toEqual([]);
    await again.hooks.onStatus({ taskId: req.taskId, mesosState: 'TASK_FINISHED', outcome: outcomeOf('TASK_FINISHED'), at: again.clock.now(), exitStatus: 0, fromReconciliation: true });
    expect(again.run(req.runId)!.state).toBe('succeeded');
    await again.clock.advanceAsync(60_000);
    expect(again.framework.launched.map((l) => l.runId)).toEqual(['hello@2026-03-08T07:02:00.000Z']);
  });

  it('after a restart, a run written but never placed is queued again under the same task id', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    await h.clock.advanceAsync(30_000);
    const req = h.framework.launched[0];
    await h.controller.stop();
    const again = new Harness(dir, h.store, h.clock);
    h = again;
    await again.start();
    expect(again.framework.started[0].knownTasks).toEqual([]);
    expect(again.framework.launched.map((l) => l.taskId)).toEqual([req.taskId]);
  });

  it('works only while leading: a follower serves the stored view, and leadership lost and regained stops and resumes launching', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    await h.controller.stop();
    const lead = new SwitchedLeadership();
    const f = new Harness(dir, h.store, h.clock, lead);
    h = f;
    await f.controller.start();
    expect(f.controller.view.jobs().map((j) => j.name)).toEqual(['hello']);
    expect(f.framework.started).toEqual([]);
    await f.clock.advanceAsync(60_000);
    expect(f.framework.launched).toEqual([]);

    const synced = f.controller.events.next('sync:ok');
    lead.set(true);
    await synced;
    expect(f.framework.started).toHaveLength(1);
    // The 07:01 fire passed while nobody led; 30 s late is still on time, so it runs now.
    expect(f.framework.launched.map((l) => l.runId)).toEqual(['hello@2026-03-08T07:01:00.000Z']);
    await f.play(f.framework.launched[0], ['TASK_RUNNING', 'TASK_FINISHED']);

    const idle = f.controller.events.next('leadership', (e) => !e.leading);
    lead.set(false);
    await idle;
    expect(f.framework.stopped).toBe(true);
    await f.clock.advanceAsync(2 * 60_000);
    expect(f.framework.launched).toHaveLength(1);

    const leading = f.controller.events.next('leadership', (e) => e.leading);
    lead.set(true);
    await leading;
    // 07:02 is 90 s late (missed, catchUp none); 07:03 is 30 s late and runs.
    expect(f.framework.launched.map((l) => l.runId)).toEqual(['hello@2026-03-08T07:01:00.000Z', 'hello@2026-03-08T07:03:00.000Z']);
    expect(f.run('hello@2026-03-08T07:02:00.000Z')?.state).toBe('missed');
    expect(f.terms).toBe(2);
    expect(f.framework.started).toHaveLength(2);
  });

  it('after leadership is lost, a placement or status reaching the old hooks is refused and nothing is written (Mesos re-sends to the leader)', async () => {
    const lead = new SwitchedLeadership();
    h = new Harness(dir, h.store, h.clock, lead);
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    const synced = h.controller.events.next('sync:ok');
    await h.controller.start();
    lead.set(true);
    await synced;
    await h.clock.advanceAsync(30_000);
    const [req] = h.framework.launched;
    const idle = h.controller.events.next('leadership', (e) => !e.leading);
    lead.set(false);
    await idle;
    await expect(h.hooks.persistLaunch([{ request: req, agentId: 'agent-1', hostname: 'host-1' }])).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    const staging = { taskId: req.taskId, mesosState: 'TASK_STAGING', outcome: outcomeOf('TASK_STAGING'), agentId: 'agent-1', at: h.clock.now(), fromReconciliation: false };
    await expect(h.hooks.onStatus(staging)).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    const stored = (await h.store.get<Run>(`runs/${req.runId}`))?.value;
    expect(stored?.attempts[0]).not.toHaveProperty('agentId');
    expect(stored?.attempts[0]).not.toHaveProperty('mesosState');
  });

  it('manual-run overrides are limited by spec.overrides: no env unless named, no args when args: false', async () => {
    await writeFile(join(dir, 'plain.yaml'), job('plain', '0 0 1 1 *'));
    await writeFile(join(dir, 'strict.yaml'), `${job('strict', '0 0 1 1 *')}  overrides: { args: false, env: [MODE] }\n`);
    await h.start();
    const run = (j: string, o: object) => h.controller.actions.runNow(j, o);
    await expect(run('plain', { env: { BASH_ENV: '$(id > /tmp/pwned)' } })).rejects.toMatchObject({ code: 'E_INVALID', message: expect.stringMatching(/env BASH_ENV: job plain allows no env overrides \(spec.overrides.env\)/) });
    await expect(run('strict', { env: { OTHER: 'x' } })).rejects.toMatchObject({ code: 'E_INVALID', message: expect.stringMatching(/env OTHER: job strict allows overriding only MODE/) });
    await expect(run('strict', { args: ['--all'] })).rejects.toMatchObject({ code: 'E_INVALID', message: expect.stringMatching(/args: job strict does not allow argument overrides \(spec.overrides.args: false\)/) });
    expect(h.controller.view.runs('plain')).toEqual([]);
    expect(h.framework.launched).toEqual([]);
    await run('strict', { env: { MODE: 'full' } });
    await run('plain', { args: ['--since', '$(id)'] });
    expect(h.framework.launched.map((l) => [l.runId, l.env, l.args])).toEqual([
      ['strict@manual-1', { MODE: 'full' }, undefined],
      ['plain@manual-1', undefined, ['--since', '$(id)']],
    ]);
  });

  it('pause stops new runs and shows as drift; a manual run still starts; resume fires from now on', async () => {
    await writeFile(join(dir, 'hello.yaml'), `${job('hello', '* * * * *')}  overrides: { env: [FULL] }\n`);
    await h.start();
    const paused = await h.controller.actions.pause('hello');
    expect(paused.status).toBe('paused');
    expect(h.controller.view.sync().drift).toEqual([{ job: 'hello', field: 'paused', desired: false, live: true, since: h.clock.now() }]);
    await h.clock.advanceAsync(5 * 60_000);
    expect(h.framework.launched).toEqual([]);
    const manual = await h.controller.actions.runNow('hello', { env: { FULL: '1' } });
    expect(manual).toMatchObject({ id: 'hello@manual-1', trigger: 'manual', state: 'pending' });
    expect(h.framework.launched.map((l) => [l.runId, l.env])).toEqual([['hello@manual-1', { FULL: '1' }]]);
    await h.play(h.framework.launched[0], ['TASK_RUNNING', 'TASK_FINISHED']);
    await h.controller.actions.resume('hello');
    expect(h.controller.view.sync().drift).toEqual([]);
    await h.clock.advanceAsync(60_000);
    expect(h.framework.launched.map((l) => l.runId)).toContain('hello@2026-03-08T07:06:00.000Z');
    await expect(h.controller.actions.runNow('nope')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('runs a job the API already lists while the sync pass that applied it has not handed it to the schedule core yet', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '0 0 1 1 *'));
    await h.start();
    await writeFile(join(dir, 'fresh.yaml'), job('fresh', '0 0 1 1 *'));
    // Hold the pass where it records its outcome: the job is applied and in the read view.
    const held = gate();
    const put = h.store.put.bind(h.store);
    h.store.put = async (key, value, version) => (key === new StoreLayout(h.store).sync.key && (await held.pass()), put(key, value, version));
    const synced = h.sync();
    await held.reached;
    expect(h.controller.view.jobs().map((j) => j.name)).toContain('fresh');
    const manual = await h.controller.actions.runNow('fresh');
    expect(manual).toMatchObject({ id: 'fresh@manual-1', trigger: 'manual' });
    expect(h.framework.launched.map((l) => l.runId)).toEqual(['fresh@manual-1']);
    held.open();
    await synced;
    expect(h.framework.launched.map((l) => l.runId)).toEqual(['fresh@manual-1']);
  });

  it('manual run numbers never repeat: history keeps the highest, so a restart after pruning counts on', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    const manual = await h.controller.actions.runNow('hello');
    await h.play(h.framework.launched[0], ['TASK_RUNNING', 'TASK_FAILED'], 1);
    await h.clock.advanceAsync(30_000);
    await h.play(h.framework.launched[1], ['TASK_RUNNING', 'TASK_FAILED'], 1);
    // failed history limit 1: the newer scheduled failure alone would push manual-1 out
    expect(h.controller.view.runs('hello')!.map((r) => `${r.id} ${r.state}`)).toEqual(['hello@2026-03-08T07:01:00.000Z failed', `${manual.id} failed`]);
    await h.controller.stop();
    h = new Harness(dir, h.store, h.clock);
    await h.start();
    expect((await h.controller.actions.runNow('hello')).id).toBe('hello@manual-2');
  });

  it('pruning a job lets its running run finish, or kills it with onPrune: kill', async () => {
    await writeFile(join(dir, 'keep.yaml'), job('keep', '0 0 1 1 *'));
    await writeFile(join(dir, 'fin.yaml'), job('fin', '* * * * *'));
    await writeFile(join(dir, 'kil.yaml'), job('kil', '* * * * *') + '  onPrune: kill\n');
    await writeFile(join(dir, 'other.yaml'), job('other', '0 0 1 1 *'));
    await h.start();
    await h.clock.advanceAsync(30_000);
    const [fin, kil] = ['fin', 'kil'].map((n) => h.framework.launched.find((l) => l.job === n)!);
    await h.play(fin, ['TASK_RUNNING']);
    await h.play(kil, ['TASK_RUNNING']);
    await unlink(join(dir, 'fin.yaml'));
    await unlink(join(dir, 'kil.yaml'));
    await h.sync();
    expect(h.controller.view.jobs().map((j) => j.name)).toEqual(['keep', 'other']);
    expect(h.framework.killed).toEqual([kil.taskId]);
    expect(h.run(kil.runId)!.state).toBe('killed');
    expect(h.run(fin.runId)!.state).toBe('running');
    await h.hooks.onStatus({ taskId: fin.taskId, mesosState: 'TASK_FINISHED', outcome: outcomeOf('TASK_FINISHED'), at: h.clock.now(), exitStatus: 0, fromReconciliation: false });
    expect(h.run(fin.runId)!.state).toBe('succeeded');
    await h.clock.advanceAsync(60_000);
    expect(h.framework.launched).toHaveLength(2);
  });

  it('an update of a job with a running run does not kill it; the next run uses the new revision', async () => {
    const first = await h.helloRunning();
    await writeFile(join(dir, 'hello.yaml'), jobManifest('hello', '* * * * *', 'echo changed'));
    await h.sync();
    expect(h.framework.killed).toEqual([]);
    expect(h.run(first.runId)!.state).toBe('running');
    await h.hooks.onStatus({ taskId: first.taskId, mesosState: 'TASK_FINISHED', outcome: outcomeOf('TASK_FINISHED'), at: h.clock.now(), exitStatus: 0, fromReconciliation: false });
    await h.clock.advanceAsync(60_000);
    const second = h.framework.launched[1];
    expect(second.template.command).toEqual({ shell: 'echo changed' });
    expect(second.revision).not.toBe(first.revision);
  });

  it('never stores an ended attempt on a run that is neither ended nor queued for retry (crash safety)', async () => {
    const written: Run[] = [];
    const store = new (class extends MemoryStore {
      override async commit(ops: Parameters<MemoryStore['commit']>[0]): Promise<void> {
        for (const op of ops) if (op.op === 'put' && op.key.startsWith('runs/')) written.push(structuredClone(op.value as Run));
        return super.commit(ops);
      }
    })();
    h = new Harness(dir, store, h.clock);
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    await h.clock.advanceAsync(30_000);
    await h.play(h.framework.launched[0], ['TASK_RUNNING', 'TASK_FINISHED']);
    const ended = written.filter((r) => r.attempts.some((a) => a.endedAt !== undefined));
    expect(ended.length).toBeGreaterThan(0);
    expect(ended.map((r) => r.state)).toEqual(ended.map(() => 'succeeded'));
  });

  it('kill of a run not yet placed withdraws it and ends it as killed', async () => {
    await writeFile(join(dir, 'hello.yaml'), job('hello', '* * * * *'));
    await h.start();
    const run = await h.controller.actions.runNow('hello');
    const killed = await h.controller.actions.kill(run.id);
    expect(h.framework.killed).toEqual([run.attempts[0].taskId]);
    expect(killed.state).toBe('killed');
  });

  it('backfill: runs a past window through the run lifecycle, one at a time under Forbid, and re-runs a failed instant under a fresh task id', async () => {
    await writeFile(join(dir, 'hourly.yaml'), job('hourly', '0 * * * *'));
    await h.start();
    const window = { from: Date.parse('2026-03-08T04:00:00Z'), to: Date.parse('2026-03-08T06:00:00Z') };
    const first = await h.controller.actions.backfill('hourly', { ...window, maxParallel: 3 });
    expect(first.instants.map((i) => i.action)).toEqual(['run', 'run', 'run']);
    const id = (hh: string) => `hourly@2026-03-08T${hh}:00:00.000Z`;
    // the default concurrencyPolicy Forbid: one run of the job at a time, none recorded skipped
    expect(h.framework.launched.map((l) => [l.runId, l.scheduledAt])).toEqual([[id('04'), window.from]]);
    await h.play(h.framework.launched[0], ['TASK_RUNNING', 'TASK_FAILED'], 1);
    expect(h.framework.launched.map((l) => l.runId)).toEqual([id('04'), id('05')]);
    await h.play(h.framework.launched[1], ['TASK_RUNNING', 'TASK_FINISHED']);
    await h.play(h.framework.launched[2], ['TASK_RUNNING', 'TASK_FINISHED']);
    expect(h.controller.view.backfills('hourly')).toMatchObject([{ id: first.id, total: 3, succeeded: 2, failed: 1, done: true }]);

    const again = await h.controller.actions.backfill('hourly', { ...window, rerun: 'failed' });
    expect(again.instants.map((i) => `${i.action} ${i.existing}`)).toEqual(['rerun failed', 'skip succeeded', 'skip succeeded']);
    const rerun = h.framework.launched.at(-1)!;
    expect(rerun.taskId).toBe(`kairos.${id('04')}~rerun1.1`);
    expect(h.run(id('04'))).toMatchObject({ state: 'pending', rerun: 1, trigger: 'backfill', backfill: { id: again.id }, attempts: [{ taskId: rerun.taskId }] });
    await h.play(rerun, ['TASK_RUNNING', 'TASK_FINISHED']);
    expect(h.run(id('04'))!.state).toBe('succeeded');
    expect(h.framework.launched).toHaveLength(4);
  });

  it('backfill: a restarted controller takes the queue up from the store and runs each instant once', async () => {
    await writeFile(join(dir, 'hourly.yaml'), job('hourly', '0 * * * *'));
    await h.start();
    const bf = await h.controller.actions.backfill('hourly', { from: Date.parse('2026-03-08T04:00:00Z'), to: Date.parse('2026-03-08T06:00:00Z') });
    const first = h.framework.launched[0];
    await h.play(first, ['TASK_RUNNING']);
    await h.controller.stop(); // the leader dies with one run on an agent and two queued

    const again = new Harness(dir, h.store, h.clock);
    h = again;
    await again.start();
    expect(again.framework.launched).toEqual([]); // the queue waits: the run on the agent is active
    await again.hooks.onStatus({ taskId: first.taskId, mesosState: 'TASK_FINISHED', outcome: outcomeOf('TASK_FINISHED'), at: again.clock.now(), exitStatus: 0, fromReconciliation: true });
    expect(again.framework.launched.map((l) => l.runId)).toEqual(['hourly@2026-03-08T05:00:00.000Z']);
    await again.play(again.framework.launched[0], ['TASK_RUNNING', 'TASK_FINISHED']);
    await again.play(again.framework.launched[1], ['TASK_RUNNING', 'TASK_FINISHED']);
    expect(again.framework.launched.map((l) => l.runId)).toEqual(['hourly@2026-03-08T05:00:00.000Z', 'hourly@2026-03-08T06:00:00.000Z']);
    expect(again.controller.view.backfills('hourly')).toMatchObject([{ id: bf.id, total: 3, succeeded: 3, done: true }]);
  });

  it('backfill: kills a queued run before it starts', async () => {
    await writeFile(join(dir, 'hourly.yaml'), job('hourly', '0 * * * *'));
    await h.start();
    await h.controller.actions.backfill('hourly', { from: Date.parse('2026-03-08T05:00:00Z'), to: Date.parse('2026-03-08T06:00:00Z') });
    const queued = 'hourly@2026-03-08T06:00:00.000Z';
    expect(await h.controller.actions.kill(queued)).toMatchObject({ state: 'killed', reason: 'killed before the backfill started it' });
    await h.play(h.framework.launched[0], ['TASK_RUNNING', 'TASK_FINISHED']);
    expect(h.framework.launched.map((l) => l.runId)).toEqual(['hourly@2026-03-08T05:00:00.000Z']);
  });
});
