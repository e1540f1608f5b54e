/**
 * Cluster facts for `kairos reconcile` (the edge of src/plan/capacity.ts, which is pure):
 * read from a running controller (`--server URL`: `GET /v1/cluster` for the agents and
 * `GET /v1/timeline` for each job's expected duration from its run history) or from a
 * file holding a saved `GET /v1/cluster` answer (`--cluster-facts FILE`). A file that is
 * not such an answer is refused naming the file, the line and the field.
 */
import { readFile } from 'node:fs/promises';
import { KairosError } from '../core/errors.js';
import type { Timeline } from '../ports/charts.js';
import type { AgentShape, ClusterFacts } from '../ports/mesos.js';
import type { CapacityInput } from '../plan/capacity.js';
import { ApiClient, type ServerFlags } from './api-client.js';

/** The facts of a `GET /v1/cluster` answer (or a bare `{at, agents}`); throws naming `where` and the field. */
export function parseClusterFacts(doc: unknown, where: string): ClusterFacts {
  const bad = (field: string, what: string) => new KairosError('E_INVALID', `${where}: ${field}: ${what}`);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad('(document)', 'expected the JSON object GET /v1/cluster answers');
  const o = doc as Record<string, unknown>;
  const facts = 'facts' in o ? o.facts : 'agents' in o ? o : undefined;
  if (facts === undefined) throw bad('facts', 'missing: the controller had not read the cluster yet (is it leading and connected to Mesos?); save GET /v1/cluster again');
  if (!facts || typeof facts !== 'object') throw bad('facts', 'expected an object {at, agents}');
  const f = facts as Record<string, unknown>;
  const prefix = 'facts' in o ? 'facts.' : '';
  if (typeof f.at !== 'number' || !Number.isFinite(f.at)) throw bad(`${prefix}at`, 'expected epoch milliseconds');
  if (!Array.isArray(f.agents)) throw bad(`${prefix}agents`, 'expected an array of agents');
  const agents = f.agents.map((a, i): AgentShape => {
    const p = `${prefix}agents[${i}]`;
    if (!a || typeof a !== 'object') throw bad(p, 'expected an object');
    const x = a as Record<string, unknown>;
    const r = x.resources as Record<string, unknown> | undefined;
    if (!r || typeof r !== 'object') throw bad(`${p}.resources`, 'expected an object {cpus, mem, disk, gpus, ports}');
    const num = (k: string) => {
      const v = r[k] ?? 0;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(`${p}.resources.${k}`, `expected a number ≥ 0, got ${JSON.stringify(v)}`);
      return v;
    };
    const attrs = x.attributes ?? {};
    if (typeof attrs !== 'object' || attrs === null || Object.values(attrs).some((v) => typeof v !== 'string')) throw bad(`${p}.attributes`, 'expected an object of text values');
    return {
      id: typeof x.id === 'string' ? x.id : `agent-${i}`,
      hostname: typeof x.hostname === 'string' ? x.hostname : '',
      attributes: attrs as Record<string, string>,
      resources: { cpus: num('cpus'), mem: num('mem'), disk: num('disk'), gpus: num('gpus'), ports: num('ports') },
    };
  });
  return { at: f.at, agents };
}

/** `--cluster-facts FILE`: a saved `GET /v1/cluster` answer. */
export async function readClusterFactsFile(path: string, shownAs = path): Promise<CapacityInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KairosError('E_INVALID', `--cluster-facts ${shownAs}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec(String(err))?.[1];
    const line = pos === undefined ? undefined : text.slice(0, Number(pos)).split('\n').length;
    throw new KairosError('E_INVALID', `${shownAs}${line ? `:${line}` : ''}: not JSON: ${(err as Error).message}`);
  }
  return { source: `--cluster-facts ${shownAs}`, facts: parseClusterFacts(doc, shownAs) };
}

/** `--server URL`: the leader's facts, and each job's expected duration from its run history. */
export async function fetchClusterFacts(flags: ServerFlags): Promise<CapacityInput> {
  const client = new ApiClient(flags);
  const [cluster, timeline] = await Promise.all([client.get<unknown>('/v1/cluster'), client.get<Timeline>('/v1/timeline?hours=24')]);
  const historyMs: Record<string, number> = {};
  for (const j of timeline.jobs ?? []) if (j.expectedFrom === 'history') historyMs[j.job] = j.expectedMs;
  return { source: `--server ${client.base}`, facts: parseClusterFacts(cluster, `GET ${client.base}/v1/cluster`), historyMs };
}
