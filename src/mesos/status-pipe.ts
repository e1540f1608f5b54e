/**
 * The UPDATE path: TaskStatus → the port's TaskStatusUpdate → `hooks.onStatus` (the store
 * write) → ACKNOWLEDGE. Status updates are at-least-once and the agent resends one until
 * it is acknowledged (mesos.apache.org/documentation/latest/scheduler-http-api/ "UPDATE", docs/high-availability-
 * framework-guide.md), so the ACK is a decorator around the recording step that runs only
 * once the hook resolved: a crash or a refused write leaves the update unacknowledged and
 * Mesos sends it again. Updates of one task go through in arrival order (one chain per
 * task); updates of different tasks do not wait on each other. Updates without a uuid
 * (reconciliation answers, master-generated) are recorded and never acknowledged.
 */
import { messageOf } from '../core/errors.js';
import { isFinalOutcome } from '../core/outcome.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { FrameworkHooks, TaskStatusUpdate } from '../ports/mesos.js';
import type { Caller } from './caller.js';
import type { AgentSandboxes } from './sandbox.js';
import { outcomeOf, statusUpdateOf } from './status.js';
import type { MasterLabels } from './task-labels.js';
import type { TaskBook } from './taskbook.js';
import type { TaskStatus } from './types.js';

/** One status on its way: the update built on arrival, or none yet when labels must be asked first. */
export interface ReceivedStatus {
  status: TaskStatus;
  now: number;
  needsLabels: boolean;
  update?: TaskStatusUpdate;
}

/** Records one status; true once recorded, false when it must stay unacknowledged. */
export type StatusStep = (r: ReceivedStatus) => Promise<boolean>;

/** The ACK decorator: ACKNOWLEDGE follows a recorded status that carries a uuid, never precedes it. */
export function acknowledging(step: StatusStep, caller: Caller, log: Logger): (r: ReceivedStatus) => Promise<void> {
  // Promise chains rather than async functions: two updates per task go through here.
  return (r) =>
    step(r).then((recorded) => {
      const s = r.status;
      if (!recorded || !s.uuid || !s.agent_id) return;
      return caller.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: s.agent_id, task_id: s.task_id, uuid: s.uuid } }).then(undefined, (err: unknown) => log.warn('ACKNOWLEDGE failed', { taskId: s.task_id.value, error: messageOf(err) }));
    });
}

/** A recorded status whose step had nothing to wait for. */
const RECORDED = Promise.resolve(true);

/** What the pipe reads and calls. */
export interface StatusPipeDeps {
  clock: Clock;
  log: Logger;
  caller: Caller;
  tasks: TaskBook;
  sandboxes: AgentSandboxes;
  labels: Pick<MasterLabels, 'of'>;
  hooks: Pick<FrameworkHooks, 'onStatus'>;
  /** Where a task's sandbox is (sandbox.ts), while it is known; carried by its updates. */
  sandboxOf(taskId: string): string | undefined;
  /** An update arrived at `at` (reconciliation counts it as an answer). */
  observed(taskId: string, at: number): void;
  /** The hook recorded `update` (the framework's `status` event). */
  recorded(update: TaskStatusUpdate): void;
}

/** The status pipe of one framework. */
export class StatusPipe {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly process: (r: ReceivedStatus) => Promise<void>;

  constructor(private readonly d: StatusPipeDeps) {
    this.process = acknowledging((r) => this.record(r), d.caller, d.log);
  }

  /** Takes one UPDATE's status: the task book sees it now, the hook and the ACK in the task's turn. */
  receive(s: TaskStatus): void {
    const now = this.d.clock.now();
    const taskId = s.task_id.value;
    this.d.observed(taskId, now);
    this.d.sandboxes.status(s);
    const needsLabels = this.d.tasks.needsLabels(taskId);
    const r: ReceivedStatus = { status: s, now, needsLabels, update: needsLabels ? undefined : this.build(s, now) };
    // A task's first update in flight starts at once; a later one waits for it (2-3 updates per task, most alone).
    const prev = this.chains.get(taskId);
    const turn = prev ? prev.then(() => this.process(r)) : this.process(r);
    this.chains.set(taskId, turn);
    const done = () => {
      if (this.chains.get(taskId) === turn) this.chains.delete(taskId);
    };
    turn.then(done, (err: unknown) => {
      done();
      this.d.log.warn('status update not processed; Mesos resends it', { taskId, error: messageOf(err) });
    });
  }

  /**
   * The one place a TaskStatus becomes the port's update (`labels`: the master's, for a task
   * not remembered), with the task's sandbox on it (status.ts `statusUpdateOf`).
   */
  private build(s: TaskStatus, now: number, labels?: Record<string, string> | null): TaskStatusUpdate | undefined {
    return statusUpdateOf(this.d.tasks, s, now, labels, this.d.sandboxOf(s.task_id.value));
  }

  private record(r: ReceivedStatus): Promise<boolean> {
    const s = r.status;
    if (r.needsLabels) return this.d.labels.of(s.task_id.value).then((labels) => this.recordUpdate(s, this.build(s, r.now, labels)));
    return this.recordUpdate(s, r.update);
  }

  /** Hands `update` to the hook; true once it resolved (or there was nothing to record), false when it refused. */
  private recordUpdate(s: TaskStatus, update: TaskStatusUpdate | undefined): Promise<boolean> {
    if (!update) {
      this.recordedStatus(s);
      return RECORDED;
    }
    const refused = (err: unknown) => {
      this.d.log.warn('onStatus failed; the update stays unacknowledged and will be resent', { taskId: s.task_id.value, error: messageOf(err) });
      return false;
    };
    let hooked: Promise<void>;
    try {
      hooked = this.d.hooks.onStatus(update);
    } catch (err) {
      return Promise.resolve(refused(err));
    }
    return hooked.then(() => {
      this.d.recorded(update);
      this.recordedStatus(s);
      return true;
    }, refused);
  }

  /** A recorded status that ended its task: its sandbox entry goes. */
  private recordedStatus(s: TaskStatus): void {
    if (isFinalOutcome(outcomeOf(s.state, s.reason))) this.d.sandboxes.forget(s.task_id.value);
  }
}
