import { describe, expect, it } from 'vitest';
import type { AgentView, ClusterView } from '../../../src/core/cluster-view.js';
import { mesosTaskId } from '../../../src/core/ids.js';
import type { Constraint, Resources } from '../../../src/core/types.js';
import { MAX_SEARCHES_PER_PLAN } from '../../../src/schedule/preemption.js';
import { Scheduler } from '../../../src/schedule/scheduler.js';
import type { Candidate } from '../../../src/schedule/victims.js';
import { job, template } from './harness.js';
import { oracleChoice } from './victims-oracle.js';
import { rng } from '../../support/seeded.js';

const START = Date.parse('2026-03-01T00:00:00Z');
const res = (cpus: number, mem: number): Resources => ({ cpus, mem, disk: 0, gpus: 0, ports: 0 });

interface Spec {
  name: string;
  priority: number;
  resources: Resources;
  preemptible?: boolean;
  constraints?: Constraint[];
}

/** Jobs of a few shapes, two of them alike (one shape, two jobs), some both waiting and preemptible. */
const SPECS: Spec[] = [
  { name: 'l0', priority: 0, resources: res(1, 256), preemptible: true },
  { name: 'l0big', priority: 0, resources: res(2, 1024), preemptible: true },
  { name: 'l1', priority: 1, resources: res(1, 512), preemptible: true },
  { name: 'l2', priority: 2, resources: res(0.5, 128), preemptible: true },
  { name: 'fixed', priority: 1, resources: res(1, 256) },
  { name: 'm3', priority: 3, resources: res(2, 512), preemptible: true },
  { name: 'h5', priority: 5, resources: res(2, 512) },
  { name: 'h5twin', priority: 5, resources: res(2, 512) },
  { name: 'h5wide', priority: 5, resources: res(0.5, 2048) },
  { name: 'h5rack', priority: 5, resources: res(2, 512), constraints: [{ attribute: 'rack', operator: 'EQUALS', value: 'r1' }] },
  { name: 'h7', priority: 7, resources: res(4, 1024), constraints: [{ attribute: 'rack', operator: 'UNLIKE', value: 'r0' }] },
  { name: 'h9', priority: 9, resources: res(8, 4096) },
];

/** A scheduler with random runs placed on random agents and others queued, all past their grace. */
function world(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const s = new Scheduler();
  const resources = SPECS.map((x) => job(x.name, template({ resources: x.resources, priority: x.priority, preemptible: x.preemptible, constraints: x.constraints ?? [], preemption: { afterSeconds: 10 } }), START));
  s.load(resources, [], START);
  const clusters = int(2) === 0 ? ['east', 'west'] : undefined;
  const agents: AgentView[] = Array.from({ length: 2 + int(10) }, (_, i) => ({
    agentId: `a${int(50)}-${i}`,
    hostname: `h${i}`,
    attributes: { rack: `r${int(3)}` },
    free: int(4) === 0 ? res(1, 512) : res(0, 0),
    taskIds: [],
    cluster: clusters?.[int(2)],
  }));
  const spec = new Map<string, Spec & { at: number }>();
  const runOf = new Map<string, string>();
  const queued = new Set<string>();
  const queuedOn = new Map<string, string>();
  let at = START;
  for (let i = 0; i < 20 + int(60); i++) {
    const x = SPECS[int(SPECS.length)];
    const { runId } = s.requestRun(x.name, (at += int(3) * 1000));
    spec.set(runId, { ...x, at });
    runOf.set(mesosTaskId(runId, 1), runId);
    if (x.priority < 5 && int(4) !== 0) {
      s.taskStarted(runId, 1, at);
      agents[int(agents.length)].taskIds.push(mesosTaskId(runId, 1));
    } else {
      queued.add(mesosTaskId(runId, 1));
      if (clusters) queuedOn.set(mesosTaskId(runId, 1), clusters[int(2)]);
    }
  }
  const view: ClusterView = { agents, queued, queuedOn: clusters ? queuedOn : undefined };
  return { s, view, spec, runOf: (taskId: string) => runOf.get(taskId)!, now: at + 60_000 };
}

/** The old straightforward plan: sort every waiting run, one fresh brute-force search each. */
function oraclePlan(view: ClusterView, spec: Map<string, Spec & { at: number }>, runOf: (taskId: string) => string): { by: string; victims: string[] }[] {
  const running = view.agents.flatMap((a) => a.taskIds.map(runOf));
  const lowest = Math.min(...running.filter((id) => spec.get(id)!.preemptible).map((id) => spec.get(id)!.priority));
  const waiting = [...view.queued].map(runOf).sort((x, y) => spec.get(y)!.priority - spec.get(x)!.priority || spec.get(x)!.at - spec.get(y)!.at || (x < y ? -1 : 1));
  const taken = new Set<string>();
  const out: { by: string; victims: string[] }[] = [];
  let searches = 0;
  for (const w of waiting) {
    const ws = spec.get(w)!;
    if (ws.priority <= lowest) continue;
    if (++searches > MAX_SEARCHES_PER_PLAN) break;
    const home = view.queuedOn?.get(mesosTaskId(w, 1));
    const agents = view.agents
      .filter((a) => home === undefined || a.cluster === home)
      .map((a) => ({
        ...a,
        candidates: a.taskIds
          .map(runOf)
          .filter((id) => spec.get(id)!.preemptible && !taken.has(id))
          .map((id): Candidate => ({ runId: id, taskId: mesosTaskId(id, 1), priority: spec.get(id)!.priority, resources: spec.get(id)!.resources })),
      }));
    const choice = oracleChoice({ priority: ws.priority, resources: ws.resources, constraints: ws.constraints ?? [] }, agents);
    if (!choice) continue;
    for (const v of choice.victims) taken.add(v.runId);
    out.push({ by: w, victims: choice.victims.map((v) => v.runId).sort() });
  }
  return out;
}

describe('one preemption check against the straightforward plan (seeded random clusters)', () => {
  it('kills exactly what one brute-force search per waiting run, in order, would', () => {
    let preemptions = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { s, view, spec, runOf, now } = world(seed);
      const kills = s.preempt(view, now).filter((d) => d.type === 'kill');
      const got: { by: string; victims: string[] }[] = [];
      for (const k of kills) {
        if (k.type !== 'kill') continue;
        const last = got[got.length - 1];
        if (last?.by === k.by) last.victims.push(k.runId);
        else got.push({ by: k.by!, victims: [k.runId] });
      }
      for (const g of got) g.victims.sort();
      const want = oraclePlan(view, spec, runOf);
      preemptions += want.length;
      expect({ seed, got }).toEqual({ seed, got: want });
    }
    expect(preemptions).toBeGreaterThan(400);
  });
});
