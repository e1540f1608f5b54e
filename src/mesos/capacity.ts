/**
 * The cluster's capacity from the master's `/master/state` answer (apache/mesos src/master/
 * readonly_handler.cpp `state`): the summed `resources` (total, reserved or not) of the
 * active agents. The UI's timeline holds expected demand against it; the answer is kept
 * CAPACITY_TTL_MS, so a page refreshing every 2 s does not make the master serialise its
 * whole state every 2 s.
 */
import type { Clock } from '../ports/clock.js';
import type { ClusterFacts } from '../ports/mesos.js';
import type { SchedulerClient } from './client.js';
import { factsOfState } from './cluster-facts.js';

/** How long one `/master/state` answer serves as the capacity. */
export const CAPACITY_TTL_MS = 30_000;

/** Total cpus and mem (MiB) of the active agents. */
export interface Capacity {
  cpus: number;
  mem: number;
  agents: number;
}

/** Summed cpus and mem (MiB) of the active agents in a `/master/state` answer. */
export function capacityOfState(answer: unknown): Capacity {
  const slaves = (answer as { slaves?: unknown } | null)?.slaves;
  let cpus = 0;
  let mem = 0;
  let agents = 0;
  for (const s of Array.isArray(slaves) ? slaves : []) {
    if (!s || typeof s !== 'object' || (s as { active?: unknown }).active === false) continue;
    const r = (s as { resources?: Record<string, unknown> }).resources ?? {};
    cpus += typeof r.cpus === 'number' ? r.cpus : 0;
    mem += typeof r.mem === 'number' ? r.mem : 0;
    agents++;
  }
  return { cpus: Math.round(cpus * 1000) / 1000, mem: Math.round(mem), agents };
}

/**
 * The capacity and the facts (cluster-facts.ts) of the master at a URL, from one
 * `/master/state` answer asked at most once per CAPACITY_TTL_MS (concurrent callers share
 * one request).
 */
export class CapacityProbe {
  private last: { url: string; at: number; value: Promise<unknown> } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly client: Pick<SchedulerClient, 'getJson'>,
  ) {}

  get(baseUrl: string): Promise<Capacity> {
    return this.state(baseUrl).value.then(capacityOfState);
  }

  /** The active agents' totals and attributes, as of the answer's time. */
  facts(baseUrl: string): Promise<ClusterFacts> {
    const { at, value } = this.state(baseUrl);
    return value.then((answer) => factsOfState(answer, at));
  }

  private state(baseUrl: string): { at: number; value: Promise<unknown> } {
    const now = this.clock.now();
    if (this.last && this.last.url === baseUrl && now - this.last.at < CAPACITY_TTL_MS) return this.last;
    const value = this.client.getJson(new URL('/master/state', baseUrl).href);
    const entry = { url: baseUrl, at: now, value };
    this.last = entry;
    value.catch(() => {
      if (this.last === entry) this.last = undefined; // a failure is not kept
    });
    return entry;
  }
}
