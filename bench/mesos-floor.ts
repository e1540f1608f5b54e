/**
 * The baseline of the launch figure (bench/mesos.bench.ts): a bare v1 scheduler on the
 * same wire (SchedulerClient, protobuf, pipelined calls) against its own fresh embedded
 * master of the same size, doing only what the protocol requires to get N tasks to
 * TASK_RUNNING: accept each offer with as many tasks of the bench's size as fit, and
 * acknowledge every update. No queue, matcher, TaskInfo builder, hooks or bookkeeping.
 * Measured in the same run as Kairos, it says what this machine and the master allow at
 * that moment (the 2 cores are shared), so Kairos's figure is read as a ratio of it.
 */
import type { Subscription } from '../src/mesos/client.js';
import { compiled } from './compiled.js';
import type { Call, Event } from '../src/mesos/scheduler-types.js';
import type { Offer, Resource, TaskInfo } from '../src/mesos/types.js';

/** What one bare run measured. */
export interface FloorRun {
  /** Seconds from SUBSCRIBED (offers on their way) to the last first TASK_RUNNING. */
  seconds: number;
  /** CPU of this process (the bare scheduler) per task, µs. */
  cpuPerTaskUs: number;
}

const CPUS_MILLI = 50;
const MEM = 16;

/** Tasks of `CPUS_MILLI`/`MEM` that fit in an offer, and their resources (the offer's, rescaled). */
function fit(offer: Offer): { n: number; resources: Resource[] } {
  const cpus = offer.resources?.find((r) => r.name === 'cpus');
  const mem = offer.resources?.find((r) => r.name === 'mem');
  if (!cpus?.scalar || !mem?.scalar) return { n: 0, resources: [] };
  const n = Math.min(Math.floor(Math.round(cpus.scalar.value * 1000) / CPUS_MILLI), Math.floor(mem.scalar.value / MEM));
  return { n, resources: [{ ...cpus, scalar: { value: CPUS_MILLI / 1000 } }, { ...mem, scalar: { value: MEM } }] };
}

/** Runs the bare scheduler against the master at `url` until `tasks` tasks ran. */
export async function floorLaunch(url: string, tasks: number): Promise<FloorRun> {
  // Compiled, as the framework it is compared with (bench/compiled.ts).
  const { SchedulerClient } = await compiled<typeof import('../src/mesos/client.js')>('mesos/client.js');
  const client = new SchedulerClient();
  let sub: Subscription | undefined;
  let frameworkId = '';
  let launched = 0;
  let running = 0;
  const seen = new Uint8Array(tasks);
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  let finished!: (r: FloorRun) => void;
  let failed!: (e: unknown) => void;
  const done = new Promise<FloorRun>((resolve, reject) => ((finished = resolve), (failed = reject)));
  const pending: Event[] = [];
  const post = (c: Call) => void client.call(sub!, { ...c, framework_id: { value: frameworkId } }).catch(failed);

  const onEvent = (e: Event): void => {
    if (!sub) return void pending.push(e);
    if (e.type === 'SUBSCRIBED') {
      frameworkId = e.subscribed!.framework_id.value;
      t0 = performance.now();
      cpu0 = process.cpuUsage();
    } else if (e.type === 'OFFERS') {
      for (const offer of e.offers?.offers ?? []) {
        const { n, resources } = fit(offer);
        const take = Math.min(n, tasks - launched);
        if (take <= 0) {
          post({ type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 300 } } });
          continue;
        }
        const task_infos: TaskInfo[] = [];
        for (let i = 0; i < take; i++, launched++)
          task_infos.push({ name: 'bare', task_id: { value: `bare.${launched}` }, agent_id: offer.agent_id, resources, command: { shell: true, value: 'true' } });
        post({ type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos } }], filters: { refuse_seconds: 1 } } });
      }
    } else if (e.type === 'UPDATE') {
      const s = e.update!.status;
      if (s.state === 'TASK_RUNNING') {
        const i = Number(s.task_id.value.slice('bare.'.length));
        if (!seen[i]) {
          seen[i] = 1;
          if (++running === tasks) {
            const cpu = process.cpuUsage(cpu0);
            finished({ seconds: (performance.now() - t0) / 1000, cpuPerTaskUs: (cpu.user + cpu.system) / tasks });
          }
        }
      }
      if (s.uuid && s.agent_id) post({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } });
    }
  };

  const info = { user: 'bench', name: 'bare-scheduler', roles: ['*'], capabilities: [{ type: 'MULTI_ROLE' as const }] };
  sub = await client.subscribe(url, { type: 'SUBSCRIBE', subscribe: { framework_info: info } }, { onEvent, onClose: (err) => err && failed(err) });
  for (const e of pending.splice(0)) onEvent(e);
  try {
    return await done;
  } finally {
    sub.close();
    client.close();
  }
}
