/**
 * The part of `explain` that speaks about several Mesos clusters (`--cluster`): for each
 * cluster a job may use (its `spec.clusters`, else all), whether it is down or starving;
 * for each waiting run, the cluster it waits on and why it is, or is not, on each of the
 * others (the router's placement verdicts, src/clusters/placement.ts). Pure.
 */
import type { Run } from '../core/run.js';
import type { ClusterView, JobDetail } from '../ports/controller.js';
import type { NamedClusterStatus } from '../ports/mesos.js';

/** One explain line: the codes explain.ts already uses for one cluster. */
export interface ClusterReason {
  code: 'no-offer-fits' | 'starving' | 'disconnected';
  message: string;
}

/** Reasons about the clusters `job` may use; `pending` are its runs still waiting for a launch. */
export function clusterReasons(job: JobDetail, cluster: ClusterView, pending: Run[], now: number, fmt: (ms: number) => string): ClusterReason[] {
  const named = cluster.clusters ?? [];
  const wanted = templateClusters(job) ?? named.map((c) => c.name);
  const out: ClusterReason[] = [];
  for (const r of pending) {
    const p = cluster.pending.find((x) => x.runId === r.id);
    if (!p?.cluster && !p?.clusters) continue;
    const verdicts = (p.clusters ?? []).map((v) => `${v.cluster}: ${v.why}`).join('; ');
    const on = p.cluster ? `waits on cluster ${p.cluster} for ${fmt(now - p.since)} (${p.reason})` : `is on no cluster: ${p.reason}`;
    out.push({ code: 'no-offer-fits', message: `run ${r.id} ${on}${verdicts ? `; ${verdicts}` : ''}` });
  }
  for (const name of wanted) {
    const c = named.find((x) => x.name === name);
    if (!c) continue;
    if (!c.connected) out.push({ code: 'disconnected', message: `cluster ${name}: not subscribed to its Mesos master${c.master ? ` ${c.master}` : ''}${others(name, wanted, named)}` });
    else if (c.starving) {
      const since = c.starvingSince ?? c.lastOfferAt;
      out.push({ code: 'starving', message: `cluster ${name}: no offers${since !== undefined ? ` for ${fmt(now - since)}` : ' yet'} (revives sent: ${c.revives})${others(name, wanted, named)}` });
    }
  }
  return out;
}

/** Where runs go meanwhile: the job's other clusters that are up. */
function others(name: string, wanted: string[], named: NamedClusterStatus[]): string {
  const up = wanted.filter((n) => n !== name && named.find((c) => c.name === n)?.connected);
  return up.length ? `; runs go to ${up.join(', ')} meanwhile` : wanted.length > 1 ? '; no other cluster of the job is up' : '';
}

function templateClusters(job: JobDetail): string[] | undefined {
  const spec = job.resource.spec as { clusters?: string[] };
  return spec.clusters;
}
