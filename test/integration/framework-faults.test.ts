/**
 * The framework's failure handling, driven by the embedded master's fault hooks over real
 * HTTP: dropped and silent streams, master failover, rescinded offers, agent loss,
 * starvation, and updates that must be resent because onStatus failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedMasterOptions } from '../../src/mesos/embedded/index.js';
import { SchedulerClient } from '../../src/mesos/client.js';
import { outcomeOf } from '../../src/mesos/status.js';
import type { TaskStatusUpdate } from '../../src/ports/mesos.js';
import { gate, holdFirstCall } from '../support/gate.js';
import { embeddedMaster, shellTask, startFramework, type MasterUnderTest, type TestFramework } from './framework.harness.js';
import type { EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { handleCall } from '../../src/mesos/embedded/calls.js';

let master: (MasterUnderTest & { embedded: EmbeddedMaster }) | undefined;
const frameworks: TestFramework[] = [];

async function setup(masterOpts: EmbeddedMasterOptions = {}, ...rest: Parameters<typeof startFramework> extends [string, ...infer R] ? R : never) {
  master = await embeddedMaster(masterOpts);
  const t = await startFramework(master.url, ...rest);
  frameworks.push(t);
  return { t, em: master.embedded };
}

/** A master that makes no offer until `resumeOffering()`, so none can be in flight. */
async function setupWithoutOffers(...rest: Parameters<typeof startFramework> extends [string, ...infer R] ? R : never) {
  master = await embeddedMaster();
  master.embedded.faults.stopOffering();
  const t = await startFramework(master.url, ...rest);
  frameworks.push(t);
  return { t, em: master.embedded };
}

afterEach(async () => {
  for (const f of frameworks.splice(0)) await f.stop();
  await master?.stop();
  master = undefined;
});

const SIMULATED: EmbeddedMasterOptions = { localAgents: 0, simulatedAgents: 2, simulatedTaskDurationMs: 60_000 };

describe('framework under faults', () => {
  it('resubscribes with the same FrameworkID after the stream drops, and its task carries on', async () => {
    const { t, em } = await setup();
    const id = t.fw.status().frameworkId;
    const task = shellTask('sleep 1');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_RUNNING');
    const back = t.next('subscribed');
    em.faults.dropStream();
    expect((await back)[0].frameworkId).toBe(id);
    expect(t.frameworkId.value).toBe(id);
    await t.waitForState(task.taskId, 'TASK_FINISHED');
  });

  it('detects a silent stream with the heartbeat watchdog and resubscribes', async () => {
    const { t, em } = await setup({ heartbeatIntervalMs: 100 });
    const id = t.fw.status().frameworkId;
    const gone = t.next('disconnected');
    const back = t.next('subscribed');
    em.faults.silence();
    expect((await gone)[0].reason).toBe('stream closed');
    expect((await back)[0].frameworkId).toBe(id);
  });

  it('survives a master failover: new stream, same FrameworkID, offers start over', async () => {
    const { t, em } = await setup();
    const id = t.fw.status().frameworkId;
    const back = t.next('subscribed');
    em.faults.failover();
    expect((await back)[0].frameworkId).toBe(id);
    const task = shellTask('true');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_FINISHED');
  });

  it('never accepts a rescinded offer', async () => {
    const { t, em } = await setupWithoutOffers({ batchWindowMs: 300 });
    const task = shellTask('true');
    t.fw.launch([task]);
    const offered = t.next('offers');
    em.faults.resumeOffering();
    await offered;
    // Within the batching window: the held offers vanish before the round.
    em.faults.rescindOffers();
    await t.waitForState(task.taskId, 'TASK_FINISHED');
    expect(t.statuses.map((u) => u.mesosState)).not.toContain('TASK_DROPPED');
    expect(t.statuses.map((u) => u.mesosState)).not.toContain('TASK_LOST');
  });

  it('reports a task whose offer was rescinded while its intent was persisted, and launches it nowhere', async () => {
    const intent = gate();
    const { t, em } = await setupWithoutOffers({}, { persistLaunch: holdFirstCall(intent) });
    const task = shellTask('true');
    t.fw.launch([task]);
    em.faults.resumeOffering();
    await intent.reached;
    // The offer goes while the intent is being written: the ACCEPT that follows names a gone offer.
    em.faults.rescindOffers();
    intent.open();
    const dropped = await t.waitForState(task.taskId, 'TASK_DROPPED');
    expect(dropped.reason).toBe('REASON_INVALID_OFFERS');
    // The controller relaunches under a new id; the dropped one is not launched again.
    const again = shellTask('true');
    t.fw.launch([again]);
    await t.waitForState(again.taskId, 'TASK_FINISHED');
    expect(t.statuses.filter((u) => u.taskId === task.taskId).map((u) => u.mesosState)).toEqual(['TASK_DROPPED']);
    expect(t.persisted.map((p) => p.request.taskId)).toEqual([task.taskId, again.taskId]);
    expect(t.fw.status().connected).toBe(true);
  });

  it('reports a task whose ACCEPT was lost with the stream (TASK_GONE by reconciliation on resubscribe), with the same FrameworkID', async () => {
    const intent = gate();
    const { t, em } = await setupWithoutOffers({}, { persistLaunch: holdFirstCall(intent) });
    const id = t.frameworkId.value;
    const task = shellTask('true');
    t.fw.launch([task]);
    em.faults.resumeOffering();
    await intent.reached;
    const gone = t.next('disconnected');
    em.faults.dropStream();
    await gone;
    // The intent is written after the stream is gone: the ACCEPT cannot go out.
    intent.open();
    const back = await t.next('subscribed');
    expect(back[0].frameworkId).toBe(id);
    const lost = await t.waitForState(task.taskId, 'TASK_GONE');
    expect(lost.reason).toBe('REASON_RECONCILIATION');
    expect(t.statuses.filter((u) => u.taskId === task.taskId).map((u) => u.mesosState)).toEqual(['TASK_GONE']);
    expect(t.order).toEqual([`persist:${task.taskId}`]);
    // Nothing is left starting, so the next task launches at once.
    const again = shellTask('true');
    t.fw.launch([again]);
    await t.waitForState(again.taskId, 'TASK_FINISHED');
  });

  it('declines the offers when the launch intent cannot be persisted, and launches the task once it can', async () => {
    let calls = 0;
    const { t, em } = await setupWithoutOffers({}, {
      persistLaunch: async () => {
        if (++calls === 1) throw new Error('store fenced');
      },
    });
    const task = shellTask('true');
    t.fw.launch([task]);
    const declined = t.next('declined');
    em.faults.resumeOffering();
    await declined;
    expect(t.persisted).toEqual([]);
    expect(t.order).toEqual([]);
    await t.waitForState(task.taskId, 'TASK_FINISHED');
    expect(calls).toBe(2);
    expect(t.order).toEqual([`persist:${task.taskId}`, `accept:${task.taskId}`]);
    expect(t.statuses.filter((u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING')).toHaveLength(1);
  });

  it('reports agent loss the partition-aware way: UNREACHABLE (waiting), then RUNNING again on return, GONE_BY_OPERATOR on removal', async () => {
    const { t, em } = await setup(SIMULATED);
    const task = shellTask('simulated');
    t.fw.launch([task]);
    const running = await t.waitForState(task.taskId, 'TASK_RUNNING');
    em.faults.partitionAgent(running.agentId!);
    const unreachable = await t.waitForState(task.taskId, 'TASK_UNREACHABLE');
    expect(unreachable.outcome).toBe('unreachable');
    em.faults.healAgent(running.agentId!);
    // The master does not announce the return; reconciliation (periodic, here forced) does.
    const back = t.next('status', (u) => u.taskId === task.taskId && u.mesosState === 'TASK_RUNNING');
    await t.fw.reconcile();
    expect((await back)[0].fromReconciliation).toBe(true);
    em.faults.removeAgent(running.agentId!);
    const gone = await t.waitForState(task.taskId, 'TASK_GONE_BY_OPERATOR');
    expect(gone.outcome).toBe(outcomeOf('TASK_GONE_BY_OPERATOR'));
  });

  it('cures starvation with REVIVE when the master silently stopped offering to it', async () => {
    const { t, em } = await setup({}, { starvationTimeoutMs: 300 });
    // The framework believes it is unsuppressed while the master has it suppressed (a lost
    // REVIVE): only the starvation watchdog can notice.
    const fwState = em.master.frameworks.get(t.fw.status().frameworkId!)!;
    const unfit = shellTask('true', { resources: { cpus: 1000, mem: 32, disk: 0, gpus: 0, ports: 0 } });
    t.fw.launch([unfit]);
    await t.next('declined');
    handleCall(em.master, fwState, { type: 'SUPPRESS', suppress: { roles: t.fw.config.roles } });
    const task = shellTask('true');
    t.fw.launch([task]);
    await t.next('revived');
    await t.waitForState(task.taskId, 'TASK_FINISHED');
    expect(t.fw.status().starving).toBe(false);
  });

  it('escalates to resubscribe and then reports starving until offers return', async () => {
    const { t, em } = await setupWithoutOffers({ starvationTimeoutMs: 200 });
    const task = shellTask('true');
    const demandRevive = t.next('revived');
    const demandAt = Date.now();
    t.fw.launch([task]);
    await demandRevive;
    const steps: string[] = [];
    t.fw.on('revived', () => steps.push('revive'));
    t.fw.on('subscribed', () => steps.push('resubscribed'));
    await t.next('starving', (on) => on);
    expect(steps.slice(0, 2)).toEqual(['revive', 'resubscribed']);
    // No offer ever arrived: starvation is dated from when the task was queued.
    expect(t.fw.status()).toMatchObject({ starving: true, starvingSince: expect.any(Number) });
    expect(t.fw.status().lastOfferAt).toBeUndefined();
    expect(t.fw.status().starvingSince).toBeGreaterThanOrEqual(demandAt);
    expect(t.fw.pending()).toEqual([expect.objectContaining({ taskId: task.taskId })]);
    const fed = t.next('starving', (on) => !on);
    em.faults.resumeOffering();
    await fed;
    await t.waitForState(task.taskId, 'TASK_FINISHED');
    expect(t.fw.status().starving).toBe(false);
    expect(t.fw.status().starvingSince).toBeUndefined();
  });

  it('does not acknowledge an update whose onStatus failed, so Mesos resends it', async () => {
    let failures = 0;
    const { t } = await setup({}, {}, {
      onStatus: async (u) => {
        if (u.mesosState === 'TASK_RUNNING' && failures === 0) {
          failures++;
          throw new Error('store unavailable');
        }
      },
    });
    const task = shellTask('sleep 0.2');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_FINISHED');
    expect(failures).toBe(1);
    expect(t.statuses.filter((u) => u.taskId === task.taskId).map((u) => u.mesosState)).toEqual(expect.arrayContaining(['TASK_RUNNING', 'TASK_FINISHED']));
  });

  it('reports a final update again, with its run, after onStatus failed on it', async () => {
    let failures = 0;
    let refused: TaskStatusUpdate['run'];
    const { t } = await setup({}, {}, {
      onStatus: async (u) => {
        if (u.mesosState === 'TASK_FINISHED' && failures === 0) {
          failures++;
          refused = u.run;
          throw new Error('store unavailable');
        }
      },
    });
    const task = shellTask('true');
    t.fw.launch([task]);
    const done = await t.waitForState(task.taskId, 'TASK_FINISHED');
    expect(failures).toBe(1);
    // The task left the framework's book with the refused update; the resent one still names its run.
    expect(done.run).toEqual(refused);
    expect(done.run?.runId).toBe(task.runId);
    expect(t.fw.status().connected).toBe(true);
  });

  it('reports every duplicated update (onStatus is idempotent by contract) and keeps going', async () => {
    const { t, em } = await setup();
    em.faults.duplicateUpdates(true);
    const task = shellTask('true');
    t.fw.launch([task]);
    await t.waitForState(task.taskId, 'TASK_FINISHED');
    const states = t.statuses.filter((u) => u.taskId === task.taskId).map((u) => u.mesosState);
    expect(states.filter((s) => s === 'TASK_RUNNING').length).toBeGreaterThanOrEqual(2);
  });

  it('follows a standby master\'s 307 to the leader, and gives up on a redirect loop', async () => {
    const leader = await embeddedMaster();
    const standby = await embeddedMaster({ localAgents: 0 });
    try {
      standby.embedded.setLeadership({ kind: 'standby', leader: new URL(leader.url).host });
      const t = await startFramework(standby.url);
      frameworks.push(t);
      expect(t.fw.status().master).toBe(new URL(leader.url).host);
      const task = shellTask('true');
      t.fw.launch([task]);
      await t.waitForState(task.taskId, 'TASK_FINISHED');

      const client = new SchedulerClient({ maxRedirects: 3 });
      standby.embedded.setLeadership({ kind: 'standby', leader: new URL(standby.url).host });
      const call = { type: 'SUBSCRIBE' as const, subscribe: { framework_info: { user: 'u', name: 'n' } } };
      await expect(client.subscribe(standby.url, call, { onEvent() {}, onClose() {} })).rejects.toThrow(/redirect to itself/);
      client.close();
    } finally {
      for (const f of frameworks.splice(0)) await f.stop();
      await standby.stop();
      await leader.stop();
    }
  });
});
