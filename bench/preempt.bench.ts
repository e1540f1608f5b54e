/**
 * Preemption figures (src/schedule/preemption.ts, victims.ts): what the once-a-second check
 * and one decision cost on a busy cluster, since both run on the dispatch queue.
 * - `preemptionDue` over 50,000 active runs (the poll, every second while leading);
 * - one `preempt(view)` with 1,000 agents each holding 8 preemptible tasks and 10,000 runs
 *   waiting past their grace (bounded by MAX_SEARCHES_PER_PLAN searches per call): the
 *   first call (cold), the second, and the median of the checks after them;
 * - `chooseVictims` for one waiting task over those 1,000 agents (ranked, best agent first).
 */
import type { ClusterView } from '../src/core/cluster-view.js';
import { mesosTaskId } from '../src/core/ids.js';
import { MAX_SEARCHES_PER_PLAN } from '../src/schedule/preemption.js';
import { Scheduler } from '../src/schedule/scheduler.js';
import { chooseVictims, type AgentCandidates } from '../src/schedule/victims.js';
import { job, template } from '../test/unit/schedule/harness.js';
import type { BenchRow } from './run.js';

export const title = 'Preemption (src/schedule/preemption.ts, victims.ts)';

const NONE = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };
const AGENTS = 1000;
const PER_AGENT = 8;
const WAITING = 10_000;
const STEADY = 21;
const START = Date.parse('2026-03-01T00:00:00Z');

/** Median wall ms of `runs` calls of `fn`. */
function median(runs: number, fn: () => void): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return Math.round(t[Math.floor(t.length / 2)] * 1000) / 1000;
}

/** A scheduler with AGENTS × PER_AGENT running preemptible runs and WAITING queued high ones, and its view. */
function busy(): { s: Scheduler; view: ClusterView; now: number } {
  const s = new Scheduler();
  const low = job('low', template({ resources: { ...NONE, cpus: 1, mem: 512 }, preemptible: true }), START);
  const high = job('high', template({ resources: { ...NONE, cpus: 8, mem: 4096 }, priority: 10, preemption: { afterSeconds: 60 } }), START);
  s.load([low, high], [], START);
  const agents = Array.from({ length: AGENTS }, (_, i) => ({ agentId: `a${i}`, hostname: `h${i}`, attributes: { rack: `r${i % 4}` }, free: NONE, taskIds: [] as string[] }));
  for (let i = 0; i < AGENTS * PER_AGENT; i++) {
    const { runId } = s.requestRun('low', START);
    s.taskStarted(runId, 1, START);
    agents[i % AGENTS].taskIds.push(mesosTaskId(runId, 1));
  }
  const queued = new Set<string>();
  for (let i = 0; i < WAITING; i++) queued.add(mesosTaskId(s.requestRun('high', START).runId, 1));
  return { s, view: { agents, queued }, now: START + 120_000 };
}

export default async function bench(): Promise<BenchRow[]> {
  const { s, view, now } = busy();
  const due = median(21, () => void s.preemptionDue(now));
  const t0 = performance.now();
  const decisions = s.preempt(view, now);
  const plan = Math.round((performance.now() - t0) * 1000) / 1000;
  const kills = decisions.filter((d) => d.type === 'kill').length;
  const t1 = performance.now();
  s.preempt(view, now + 1000);
  const warm = Math.round((performance.now() - t1) * 1000) / 1000;
  // The loop runs a check a second: what one costs once the process is warm.
  let at = now + 1000;
  const steady = median(STEADY, () => void s.preempt(view, (at += 1000)));
  const agents: AgentCandidates[] = view.agents.map((a, i) => ({
    agentId: a.agentId,
    hostname: a.hostname,
    attributes: a.attributes,
    free: NONE,
    candidates: Array.from({ length: PER_AGENT }, (_, k) => ({ runId: `r${i}-${k}`, taskId: `t${i}-${k}`, priority: k % 3, resources: { ...NONE, cpus: 1, mem: 512 } })),
  }));
  const choose = median(11, () => void chooseVictims({ priority: 10, resources: { ...NONE, cpus: 3, mem: 1024 }, constraints: [] }, agents));
  return [
    { name: `preemptionDue over ${(AGENTS * PER_AGENT + WAITING).toLocaleString('en')} active runs`, value: due, unit: 'ms', note: 'the 1 s poll while leading; median of 21' },
    { name: `one preempt(view): ${AGENTS} agents × ${PER_AGENT} preemptible tasks, ${WAITING.toLocaleString('en')} runs waiting`, value: plan, unit: 'ms', note: `${kills} kills decided (at most ${MAX_SEARCHES_PER_PLAN} searches per call)` },
    { name: 'the next preempt(view)', value: warm, unit: 'ms', note: 'the second call: the next 10 waiting runs, on the agents left' },
    { name: 'preempt(view) in steady state', value: steady, unit: 'ms', note: `median of the next ${STEADY} checks, one per simulated second` },
    { name: `chooseVictims: one task over ${AGENTS} agents × ${PER_AGENT} candidates`, value: choose, unit: 'ms', note: 'agents ranked by bound, searched best first; includes preparing the agents; median of 11' },
  ];
}
