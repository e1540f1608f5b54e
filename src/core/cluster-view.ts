/**
 * What the Mesos framework knows of the agents, as the schedule core needs it to decide a
 * preemption (src/schedule/preemption.ts): where Kairos's own tasks run, what each agent
 * had left over in its latest offer, and which tasks still wait for an offer. Plain data,
 * built by the framework (src/mesos/agent-view.ts) and handed to the pure core, so the
 * decision is tested with hand-written views and a fake clock.
 */
import type { Resources } from './types.js';

/** One agent as the framework last saw it. */
export interface AgentView {
  agentId: string;
  hostname: string;
  /** Text form of each attribute (src/mesos/offers.ts `attributeText`); empty if never offered. */
  attributes: Record<string, string>;
  /**
   * What the agent's latest offer held that no task of ours took since: resources free
   * for anyone. Zero when no offer came since Kairos last launched there (conservative:
   * only the victims' resources are then counted on).
   */
  free: Resources;
  /** Kairos task ids live on the agent (launched, adopted or reconciled, not yet ended). */
  taskIds: string[];
  /** With several clusters: the cluster the agent belongs to. */
  cluster?: string;
}

/** The framework's view for one preemption decision. */
export interface ClusterView {
  agents: AgentView[];
  /** Task ids queued for launch that no offer took yet. */
  queued: ReadonlySet<string>;
  /**
   * With several clusters: the cluster whose queue each queued task waits in. Victims are
   * then sought only there: room made on another cluster would not reach the task.
   */
  queuedOn?: ReadonlyMap<string, string>;
}
