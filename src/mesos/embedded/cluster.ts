/**
 * The agents and tasks of the embedded master: launching tasks on agents, turning agent
 * reports into status updates (reliably delivered, src/mesos/embedded/updates.ts),
 * killing, reconciliation answers (mesos.apache.org/documentation/latest/reconciliation/; Master::reconcile in
 * apache/mesos src/master/master.cpp) and agent partition / removal with the partition-aware outcomes
 * (Master::__removeSlave). Offers and frameworks live in master.ts, the records of
 * agents and tasks in records.ts, reconciliation answers in reconcile-answers.ts.
 */
import type { Clock, Timer } from '../../ports/clock.js';
import type { FrameworkInfo, TaskInfo, TaskState, TaskStatus, TaskStatusReason } from '../types.js';
import type { Event } from '../scheduler-types.js';
import { TERMINAL_STATES } from '../types.js';
import { durationMs, type Agent, type AgentReport } from './agent.js';
import { answerReconcile } from './reconcile-answers.js';
import { summaryOf, type AgentState, type FrameworkTasks, type TaskRecord } from './records.js';
import { ResourceBag } from './resources.js';
import { StatusUpdateManager, newUuid, type RetryOptions } from './updates.js';

/** What the cluster needs from the master. */
export interface ClusterHooks {
  /** Delivers an event to a framework's stream, if connected. */
  send(frameworkId: string, event: Event): void;
  /** Capabilities of a known framework; undefined when it was removed. */
  caps(frameworkId: string): { partitionAware: boolean; killingState: boolean } | undefined;
  /** Resources became free on an agent: time to allocate them. */
  freed(agentId: string): void;
  /** An agent recovered a task of this framework: the master must know the framework. */
  recovered(frameworkId: string, info: FrameworkInfo): void;
}

const COMPLETED_KEPT = 1000;

/** See the file comment. */
export class Cluster {
  readonly agents = new Map<string, AgentState>();
  readonly tasks = new Map<string, FrameworkTasks>();
  readonly updates: StatusUpdateManager;
  private recoveryTimer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    retry: RetryOptions,
    private readonly hooks: ClusterHooks,
  ) {
    this.updates = new StatusUpdateManager(clock, retry, (fw, status) => this.forward(fw, status));
  }

  /**
   * Adds an agent, with the tasks it recovered from its checkpoint (a restart of this
   * process): they hold their resources again, their frameworks are restored, and the
   * agent reconnects each so it reports on.
   */
  addAgent(agent: Agent): void {
    const a: AgentState = { agent, status: 'active', free: agent.total.clone(), held: [], lost: [] };
    this.agents.set(agent.id, a);
    for (const cp of agent.recover?.() ?? []) {
      this.hooks.recovered(cp.frameworkId, cp.framework);
      const resources = ResourceBag.from(cp.task.resources);
      const rec: TaskRecord = { info: summaryOf(cp.task), frameworkId: cp.frameworkId, agentId: agent.id, role: cp.role, state: 'TASK_RUNNING', agentState: 'TASK_RUNNING', resources, released: false, statuses: [] };
      this.tasksOf(cp.frameworkId).active.set(cp.taskId, rec);
      a.free.subtract(resources);
      agent.adopt!(cp, (r) => this.onReport(rec, r));
    }
    this.hooks.freed(agent.id);
  }

  tasksOf(frameworkId: string): FrameworkTasks {
    let t = this.tasks.get(frameworkId);
    if (!t) this.tasks.set(frameworkId, (t = { active: new Map(), unreachable: new Map(), completed: [] }));
    return t;
  }

  /** Starts a validated task on its agent, in TASK_STAGING. */
  launch(frameworkId: string, role: string, task: TaskInfo, resources: ResourceBag, framework?: FrameworkInfo): void {
    const agentId = task.agent_id.value;
    const rec: TaskRecord = { info: summaryOf(task), frameworkId, agentId, role, state: 'TASK_STAGING', agentState: 'TASK_STAGING', resources, released: false, statuses: [] };
    this.tasksOf(frameworkId).active.set(task.task_id.value, rec);
    this.agents.get(agentId)!.agent.launch({ task, frameworkId, framework, role, report: this.onReport.bind(this, rec) });
  }

  /** Builds a master-generated status (source MASTER, no uuid). */
  masterStatus(taskId: string, state: TaskState, reason: TaskStatusReason, message: string, agentId?: string): TaskStatus {
    return {
      task_id: { value: taskId },
      state,
      source: 'SOURCE_MASTER',
      reason,
      message,
      ...(agentId ? { agent_id: { value: agentId } } : {}),
      timestamp: this.clock.now() / 1000,
    };
  }

  /** Sends a master-generated update (never acknowledged, never resent). */
  sendMaster(frameworkId: string, status: TaskStatus): void {
    this.hooks.send(frameworkId, { type: 'UPDATE', update: { status } });
  }

  private onReport(rec: TaskRecord, r: AgentReport): void {
    const a = this.agents.get(rec.agentId);
    if (!a || a.status === 'gone') return;
    if (a.status !== 'active') {
      rec.agentState = r.state;
      a.held.push(() => this.onReport(rec, r));
      return;
    }
    rec.agentState = r.state;
    if (TERMINAL_STATES.has(r.state) && !rec.released) {
      rec.released = true;
      a.free.add(rec.resources);
      this.hooks.freed(rec.agentId);
    }
    const caps = this.hooks.caps(rec.frameworkId);
    const t = this.tasks.get(rec.frameworkId);
    if (!caps && TERMINAL_STATES.has(r.state)) a.agent.forget?.(rec.info.task_id.value); // no one left to tell
    if (!caps || !t || t.active.get(rec.info.task_id.value) !== rec) return;
    if (r.state === 'TASK_KILLING' && !caps.killingState) return;
    rec.state = r.state;
    const status: TaskStatus = {
      task_id: rec.info.task_id,
      state: r.state,
      source: r.source,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.message ? { message: r.message } : {}),
      agent_id: { value: rec.agentId },
      executor_id: { value: rec.info.task_id.value },
      timestamp: this.clock.now() / 1000,
      uuid: newUuid(),
    };
    rec.statuses.push({ state: status.state, timestamp: status.timestamp });
    this.updates.add(rec.frameworkId, status);
  }

  private forward(frameworkId: string, status: TaskStatus): void {
    const a = status.agent_id && this.agents.get(status.agent_id.value);
    if (a && a.status !== 'active') return; // the agent cannot reach the master; it retries later
    this.hooks.send(frameworkId, { type: 'UPDATE', update: { status } });
  }

  /** Handles an ACKNOWLEDGE; a terminal update acknowledged retires the task. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): void {
    const acked = this.updates.ack(frameworkId, taskId, uuid);
    if (!acked || !TERMINAL_STATES.has(acked.state)) return;
    const t = this.tasksOf(frameworkId);
    const rec = t.active.get(taskId);
    if (!rec) return;
    t.active.delete(taskId);
    this.agents.get(rec.agentId)?.agent.forget?.(taskId);
    t.completed.push(rec);
    if (t.completed.length > COMPLETED_KEPT) t.completed.shift();
  }

  /**
   * KILL: a known task is killed on its agent (grace period from the call, else from the
   * task's KillPolicy); an unknown one gets an explicit reconciliation answer instead.
   */
  kill(frameworkId: string, taskId: string, agentId: string | undefined, graceNanos: number | undefined, partitionAware: boolean): void {
    const rec = this.tasksOf(frameworkId).active.get(taskId);
    if (!rec) return this.reconcile(frameworkId, [{ taskId, agentId }], partitionAware);
    if (agentId !== undefined && agentId !== rec.agentId) return; // upstream ignores a KILL naming another agent
    const a = this.agents.get(rec.agentId);
    if (a?.status !== 'active') return; // upstream retries the kill when the agent re-registers
    const grace = graceNanos ?? rec.info.kill_policy?.grace_period?.nanoseconds;
    a.agent.kill(taskId, durationMs(grace === undefined ? undefined : { nanoseconds: grace }));
  }

  /** RECONCILE: the master's answers (reconcile-answers.ts). */
  reconcile(frameworkId: string, tasks: { taskId: string; agentId?: string }[], partitionAware: boolean): void {
    answerReconcile(this, frameworkId, tasks, partitionAware);
  }

  /**
   * An agent stops reaching the master (`unreachable`) or is removed by the operator
   * (`gone`): its tasks become TASK_UNREACHABLE / TASK_GONE_BY_OPERATOR for partition-aware
   * frameworks and TASK_LOST for others (Master::__removeSlave). A gone agent's tasks are
   * killed; an unreachable agent's keep running.
   */
  removeAgent(agentId: string, how: 'unreachable' | 'gone'): void {
    const a = this.agents.get(agentId);
    if (!a || a.status === 'gone' || a.status === how) return;
    const wasUnreachable = a.status === 'unreachable';
    a.status = how;
    if (how === 'unreachable') a.unreachableSince = this.clock.now();
    for (const [frameworkId, t] of this.tasks) {
      const caps = this.hooks.caps(frameworkId);
      const records = [...t.active.values(), ...(wasUnreachable ? t.unreachable.values() : [])].filter((r) => r.agentId === agentId);
      for (const rec of records) {
        const id = rec.info.task_id.value;
        t.active.delete(id);
        t.unreachable.delete(id);
        const pa = caps?.partitionAware ?? false;
        const state: TaskState = !pa ? 'TASK_LOST' : how === 'unreachable' ? 'TASK_UNREACHABLE' : 'TASK_GONE_BY_OPERATOR';
        const reason: TaskStatusReason = how === 'unreachable' || !pa ? 'REASON_AGENT_REMOVED' : 'REASON_AGENT_REMOVED_BY_OPERATOR';
        rec.state = state;
        if (how === 'unreachable' && pa) t.unreachable.set(id, rec);
        else if (how === 'unreachable') a.lost.push(rec);
        else this.updates.dropTask(frameworkId, id);
        if (wasUnreachable) continue; // the framework already heard about it
        const status = this.masterStatus(id, state, reason, how === 'unreachable' ? `Agent ${a.agent.hostname} is unreachable` : `Agent ${a.agent.hostname} removed by operator`, agentId);
        if (how === 'unreachable') status.unreachable_time = { nanoseconds: (a.unreachableSince ?? 0) * 1e6 };
        this.sendMaster(frameworkId, status);
      }
    }
    if (how === 'gone') {
      a.held = [];
      a.lost = [];
      void a.agent.stop();
    }
  }

  /**
   * An unreachable agent re-registers: partition-aware frameworks get their tasks back
   * (in the state the agent has), other frameworks' tasks there are killed (they were
   * already told TASK_LOST); reports made meanwhile are delivered now.
   */
  reregisterAgent(agentId: string): void {
    const a = this.agents.get(agentId);
    if (!a || a.status !== 'unreachable') return;
    a.status = 'active';
    a.unreachableSince = undefined;
    for (const t of this.tasks.values())
      for (const [id, rec] of t.unreachable)
        if (rec.agentId === agentId) {
          t.unreachable.delete(id);
          rec.state = rec.agentState;
          t.active.set(id, rec);
        }
    for (const rec of a.lost.splice(0)) a.agent.kill(rec.info.task_id.value, 0);
    for (const replay of a.held.splice(0)) replay();
    this.hooks.freed(agentId);
  }

  /**
   * A master failover: every agent is `recovering` (no offers, no answers about its tasks,
   * its updates held) until it re-registers `ms` later, as agents do with a new master.
   */
  recoverAgents(ms: number): void {
    for (const a of this.agents.values()) if (a.status === 'active') a.status = 'recovering';
    this.recoveryTimer?.cancel();
    this.recoveryTimer = this.clock.setTimeout(() => {
      for (const [id, a] of this.agents)
        if (a.status === 'recovering') {
          a.status = 'active';
          for (const replay of a.held.splice(0)) replay();
          this.hooks.freed(id);
        }
    }, ms);
  }

  /** A removed framework's tasks are killed; their later reports only free resources. */
  removeFramework(frameworkId: string): void {
    const t = this.tasks.get(frameworkId);
    this.updates.dropFramework(frameworkId);
    if (!t) return;
    for (const rec of [...t.active.values(), ...t.unreachable.values()]) {
      const a = this.agents.get(rec.agentId);
      if (a?.status === 'active') a.agent.kill(rec.info.task_id.value, 0);
    }
    this.tasks.delete(frameworkId);
  }

  /** Stops every agent (no orphaned children) and all timers. */
  async stop(): Promise<void> {
    this.recoveryTimer?.cancel();
    this.updates.stop();
    await Promise.all([...this.agents.values()].map((a) => a.agent.stop()));
  }
}
