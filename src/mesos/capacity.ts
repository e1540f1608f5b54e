/**
 * The cluster's capacity from the master's `/master/state` answer (src/master/
 * readonly_handler.cpp `state`): the summed `resources` (total, reserved or not) of the
 * active agents. The UI's timeline holds expected demand against it.
 */
import type { SchedulerClient } from './client.js';

/** Summed cpus and mem (MiB) of the active agents in a `/master/state` answer. */
export function capacityOfState(answer: unknown): { cpus: number; mem: number; agents: number } {
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

/** Asks the master at `baseUrl` for its state and sums its agents' resources. */
export async function fetchCapacity(client: SchedulerClient, baseUrl: string): Promise<{ cpus: number; mem: number; agents: number }> {
  return capacityOfState(await client.getJson(new URL('/master/state', baseUrl).href));
}
