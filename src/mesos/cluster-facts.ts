/**
 * The cluster's facts (src/ports/mesos.ts ClusterFacts) from the master's `/master/state`
 * answer (apache/mesos src/master/readonly_handler.cpp `state`): each active agent's `resources` (its
 * total, reserved or not: what it could ever hold), hostname and attributes. Upstream
 * renders scalar resources as numbers, ranges as `"[31000-32000]"` and attributes as
 * `{name: value}` with text as strings and scalars as numbers.
 */
import type { AgentResources, AgentShape, ClusterFacts } from '../ports/mesos.js';

/** The facts of a `/master/state` answer read at `at` (inactive agents left out). */
export function factsOfState(answer: unknown, at: number): ClusterFacts {
  const slaves = (answer as { slaves?: unknown } | null)?.slaves;
  const agents: AgentShape[] = [];
  for (const s of Array.isArray(slaves) ? slaves : []) {
    if (!s || typeof s !== 'object') continue;
    const a = s as { id?: unknown; hostname?: unknown; active?: unknown; resources?: unknown; attributes?: unknown };
    if (a.active === false) continue;
    agents.push({
      id: typeof a.id === 'string' ? a.id : '',
      hostname: typeof a.hostname === 'string' ? a.hostname : '',
      attributes: attributesOf(a.attributes),
      resources: resourcesOf(a.resources),
    });
  }
  return { at, agents };
}

/** Agent resources from the state JSON's `resources` object. */
export function resourcesOf(r: unknown): AgentResources {
  const o = r && typeof r === 'object' ? (r as Record<string, unknown>) : {};
  const num = (k: string) => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : 0);
  return { cpus: num('cpus'), mem: num('mem'), disk: num('disk'), gpus: num('gpus'), ports: portCount(o.ports) };
}

/** Ports in a rendered range list such as `"[31000-32000, 33000-33010]"`. */
export function portCount(v: unknown): number {
  if (typeof v !== 'string') return 0;
  let n = 0;
  for (const m of v.matchAll(/(\d+)-(\d+)/g)) n += Math.max(0, Number(m[2]) - Number(m[1]) + 1);
  return n;
}

function attributesOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number') out[k] = String(x);
  return out;
}
