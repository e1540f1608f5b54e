/**
 * The framework's picture of each agent for preemption (src/core/cluster-view.ts): its
 * hostname and attributes, what its latest offer had left over, and which of Kairos's live
 * tasks run on it. Mesos tells a framework no agent's totals, only offers; so the free part
 * is trusted only while it is recent and nothing of ours launched there since (another
 * framework may still take it meanwhile: then a preemption can come up short, and the
 * waiting run simply tries again later).
 */
import type { AgentView, ClusterView } from '../core/cluster-view.js';
import type { Resources } from '../core/types.js';
import type { MatchOffer } from './matcher.js';
import { fromMilli, totalsOf } from './resources.js';

/** An offer older than this says nothing about what an agent has free now. */
export const FREE_FRESH_MS = 10_000;

const NONE: Resources = { cpus: 0, mem: 0, disk: 0, gpus: 0, ports: 0 };

interface Seen {
  hostname: string;
  attributes: Record<string, string>;
  free: Resources;
  /** When the offer came; `undefined` once a task of ours was placed there since. */
  at?: number;
}

/** What offers told about agents; see the module comment. */
export class AgentLedger {
  private readonly agents = new Map<string, Seen>();

  /** Offers received at `now`. Several offers of one agent in one batch add up. */
  offered(offers: readonly MatchOffer[], now: number): void {
    const batch = new Map<string, Resources>();
    for (const o of offers) {
      const t = totalsOf(o.pools);
      const add: Resources = { cpus: fromMilli(t.cpus), mem: fromMilli(t.mem), disk: fromMilli(t.disk), gpus: fromMilli(t.gpus), ports: t.ports };
      const sum = batch.get(o.agentId) ?? NONE;
      batch.set(o.agentId, { cpus: sum.cpus + add.cpus, mem: sum.mem + add.mem, disk: sum.disk + add.disk, gpus: sum.gpus + add.gpus, ports: sum.ports + add.ports });
      this.agents.set(o.agentId, { hostname: o.hostname, attributes: o.attributes, free: batch.get(o.agentId)!, at: now });
    }
  }

  /** Tasks of ours were placed on these agents: their last offers no longer tell what is free. */
  launched(agentIds: Iterable<string>): void {
    for (const id of agentIds) {
      const s = this.agents.get(id);
      if (s) s.at = undefined;
    }
  }

  /** The view for one preemption decision: every agent that has an offer on record or a live task of ours. */
  view(live: readonly { taskId: string; agentId?: string; hostname?: string }[], queued: Iterable<string>, now: number): ClusterView {
    const out = new Map<string, AgentView>();
    const of = (agentId: string, hostname?: string): AgentView => {
      let v = out.get(agentId);
      if (!v) {
        const s = this.agents.get(agentId);
        const fresh = s?.at !== undefined && now - s.at <= FREE_FRESH_MS;
        v = { agentId, hostname: s?.hostname ?? hostname ?? agentId, attributes: s?.attributes ?? {}, free: fresh ? s!.free : NONE, taskIds: [] };
        out.set(agentId, v);
      }
      return v;
    };
    for (const id of this.agents.keys()) of(id);
    for (const t of live) if (t.agentId) of(t.agentId, t.hostname).taskIds.push(t.taskId);
    return { agents: [...out.values()], queued: new Set(queued) };
  }
}
