/**
 * Launch → TASK_RUNNING latency on the embedded master's local agent: a command task and
 * a Docker task (the locally built busybox image on a private dockerd, network NONE),
 * measured alternately in one run. The clock starts when ACCEPT is sent and stops when the
 * scheduler receives TASK_RUNNING (STARTING acknowledged in between, as a framework does).
 */
import { performance } from 'node:perf_hooks';
import { startEmbeddedMaster } from '../src/mesos/embedded/index.js';
import type { Offer } from '../src/mesos/types.js';
import { buildTestImages, startDocker, TEST_IMAGE } from '../test/support/docker.js';
import { frameworkInfo, Subscription, taskOn } from '../test/integration/embedded-master-client.js';
import type { BenchRow } from './run.js';

/** Shown as the BENCHMARKS.md section title. */
export const title = 'Docker tasks (bench/docker.bench.ts)';

const ROUNDS = 15;
const WARMUP = 2;

export default async function bench(): Promise<BenchRow[]> {
  const docker = await startDocker();
  const em = await startEmbeddedMaster({ dockerHost: docker.host, allocationIntervalMs: 20, localResources: 'cpus:2;mem:2048;disk:1024' });
  const s = await Subscription.open(em.url, frameworkInfo());
  try {
    await buildTestImages(docker);
    await s.take((e) => e.type === 'SUBSCRIBED');
    const times: Record<'command' | 'docker', number[]> = { command: [], docker: [] };
    for (let i = 0; i < WARMUP + ROUNDS; i++)
      for (const kind of ['command', 'docker'] as const) {
        const ms = await launchToRunning(s, em.url, `${kind}-${i}`, kind);
        if (i >= WARMUP) times[kind].push(ms);
      }
    const note = (what: string) => `${ROUNDS} launches after ${WARMUP} warm-up, alternating command/Docker${what ? `; ${what}` : ''}`;
    return [
      { name: 'command task: launch → TASK_RUNNING (median)', value: round(median(times.command)), unit: 'ms', note: note('/bin/sh -c true, own process group') },
      { name: 'command task: launch → TASK_RUNNING (p95)', value: round(p95(times.command)), unit: 'ms', note: note('') },
      { name: 'Docker task: launch → TASK_RUNNING (median)', value: round(median(times.docker)), unit: 'ms', note: note('docker run (attached) until docker inspect shows a pid; dockerd 20.10, overlay2') },
      { name: 'Docker task: launch → TASK_RUNNING (p95)', value: round(p95(times.docker)), unit: 'ms', note: note('') },
    ];
  } finally {
    s.close();
    await em.stop();
    await docker.stop();
  }
}

async function launchToRunning(s: Subscription, url: string, id: string, kind: 'command' | 'docker'): Promise<number> {
  const offer: Offer = (await s.take((e) => e.type === 'OFFERS', 'offers')).offers!.offers![0];
  const task = taskOn(id, offer, kind === 'docker' ? { container: { type: 'DOCKER', docker: { image: TEST_IMAGE, network: 'NONE' } } } : {});
  const t0 = performance.now();
  await s.call(url, { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }], filters: { refuse_seconds: 0 } } });
  let running = 0;
  for (;;) {
    const st = await s.update(id);
    if (st.state === 'TASK_RUNNING') running = performance.now() - t0;
    if (st.uuid) await s.call(url, { type: 'ACKNOWLEDGE', acknowledge: { agent_id: st.agent_id!, task_id: st.task_id, uuid: st.uuid } });
    if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR'].includes(st.state)) {
      if (!running) throw new Error(`${id} ended ${st.state} without TASK_RUNNING: ${st.message}`);
      return running;
    }
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const round = (x: number) => Math.round(x * 10) / 10;
