/**
 * What one preemption check (src/schedule/preemption.ts `plan`) builds once and shares
 * between the victim searches of its waiting runs, so a check over a large cluster costs
 * milliseconds instead of one full rebuild per waiting run:
 * - the agents with every possible victim, sorted and sized once per home cluster
 *   (./victims.ts `prepareAgents`); a search leaves out what an earlier one took;
 * - where each job's tasks run (stateful constraints), built only when a search needs it;
 * - one ranked search (./victims.ts `VictimSearch`) per waiting shape (priority,
 *   resources, constraints, home, and for stateful constraints its job), asked again by
 *   each waiting run of that shape: the view is fixed and candidates only get fewer, so
 *   its ranking of the agents stays valid for the whole check.
 */
import type { AgentView, ClusterView } from '../core/cluster-view.js';
import { isStateful } from '../mesos/constraints.js';
import { lastAttempt, type Active } from './entries.js';
import { prepareAgents, VictimSearch, type AgentCandidates, type Candidate, type PreparedAgents, type VictimChoice } from './victims.js';

/** See the module comment; one per `plan` call, on that call's view. */
export class PreemptionCheck {
  private readonly prepared = new Map<string | undefined, PreparedAgents>();
  /** One search per waiting shape, asked again by each waiting run of that shape. */
  private readonly searches = new Map<string, VictimSearch>();
  private placedByJob: Map<string, AgentView[]> | undefined;
  /** Task ids chosen as victims in this check so far. */
  readonly taken = new Set<string>();

  /** `byTask`: the live attempts' task ids → their entries. */
  constructor(
    private readonly view: ClusterView,
    private readonly byTask: ReadonlyMap<string, Active>,
  ) {}

  /** The victims for waiting run `w` (see ./victims.ts), undefined when there are none. */
  search(w: Active): VictimChoice | undefined {
    const t = w.template!;
    const home = this.view.queuedOn?.get(lastAttempt(w.run)!.taskId);
    const stateful = t.constraints.some(isStateful);
    const waiting = { priority: t.priority, resources: t.resources, constraints: t.constraints, placed: stateful ? this.placed(w.run.job) : undefined };
    const taken = (c: Candidate) => this.taken.has(c.taskId);
    const agents = this.agents(home);
    if (this.isCandidate(w, home)) {
      // It sees one candidate fewer than its shape's peers (itself): a search of its own.
      const skip = (c: Candidate) => c.runId === w.run.id || taken(c);
      return new VictimSearch(waiting, agents, skip).choose(skip);
    }
    const shape = JSON.stringify([home ?? null, t.priority, t.resources, t.constraints, stateful ? w.run.job : null]);
    let s = this.searches.get(shape);
    if (!s) this.searches.set(shape, (s = new VictimSearch(waiting, agents, taken)));
    return s.choose(taken);
  }

  /** Whether `w`'s own task is a candidate on the agents of `home` (a view may lag behind). */
  private isCandidate(w: Active, home: string | undefined): boolean {
    const att = lastAttempt(w.run);
    if (!att || !w.template?.preemptible || att.preemptedBy) return false;
    return this.view.agents.some((ag) => inHome(ag, home) && ag.taskIds.includes(att.taskId));
  }

  /** The agents a run queued on `home` may take victims from (all of them with one cluster). */
  private agents(home: string | undefined): PreparedAgents {
    let p = this.prepared.get(home);
    if (!p) {
      const agents: AgentCandidates[] = [];
      for (const ag of this.view.agents) {
        if (!inHome(ag, home)) continue;
        const candidates: Candidate[] = [];
        for (const id of ag.taskIds) {
          const c = this.candidateOf(id);
          if (c) candidates.push(c);
        }
        agents.push({ agentId: ag.agentId, hostname: ag.hostname, attributes: ag.attributes, free: ag.free, candidates });
      }
      this.prepared.set(home, (p = prepareAgents(agents)));
    }
    return p;
  }

  /** The live task `taskId` as a candidate (every waiting run's search leaves out its own). */
  private candidateOf(taskId: string): Candidate | undefined {
    const a = this.byTask.get(taskId);
    if (!a?.template?.preemptible || lastAttempt(a.run)!.preemptedBy) return undefined;
    return { runId: a.run.id, taskId, priority: a.template.priority, resources: a.template.resources };
  }

  /** The agents where the job's (non-DAG) tasks run, in view order. */
  private placed(job: string): AgentView[] {
    if (!this.placedByJob) {
      this.placedByJob = new Map();
      for (const ag of this.view.agents) {
        const jobs = new Set<string>();
        for (const id of ag.taskIds) {
          const run = this.byTask.get(id)?.run;
          if (run && !run.dagRunId) jobs.add(run.job);
        }
        for (const j of jobs) {
          const list = this.placedByJob.get(j);
          if (list) list.push(ag);
          else this.placedByJob.set(j, [ag]);
        }
      }
    }
    return this.placedByJob.get(job) ?? [];
  }
}

/** Whether a run queued on `home` may take victims on `ag` (any agent with one cluster). */
function inHome(ag: AgentView, home: string | undefined): boolean {
  return home === undefined || ag.cluster === undefined || ag.cluster === home;
}
