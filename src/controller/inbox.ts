/**
 * The messages Dispatch (./dispatch.ts) takes: the only way anything reaches the schedule
 * core. Each names what happened (a tick, the applied state changed, a run was asked for,
 * a launch was placed, a task status came), never what the core should do about it; the
 * core decides, Dispatch has the decisions carried out, then the message's promise settles.
 */
import type { RunOverrides } from '../core/run.js';
import type { PlacedLaunch, TaskStatusUpdate } from '../ports/mesos.js';
import type { BackfillItem, BackfillRequest } from '../schedule/backfill.js';
import type { UnschedulableChange } from '../schedule/unschedulable.js';

/** Something is due: fires, retries, timeouts (the wake-up timer posts it). */
export interface Tick {
  type: 'Tick';
}

/** A leadership term starts: the core is loaded from the applied state and the stored runs, then ticks. */
export interface Loaded {
  type: 'Loaded';
}

/**
 * The applied state may have changed: the core is given every resource it was not given
 * yet and loses the ones no longer applied (./dispatch.ts keeps what it gave). `again`
 * names resources to give again although unchanged (paused or resumed: their effective
 * spec changed).
 */
export interface Applied {
  type: 'Applied';
  again?: string[];
}

/** An operator asked for a run of `job` now; the reply is the run id. */
export interface RunRequested {
  type: 'RunRequested';
  job: string;
  overrides?: RunOverrides;
  /** Secret env overrides: held in memory (never stored) before the run's first launch. */
  secretEnv?: Record<string, string>;
}

/** The unschedulable check judged waiting runs (src/schedule/unschedulable.ts): the core applies it to the runs it drives. */
export interface UnschedulableJudged {
  type: 'UnschedulableJudged';
  changes: UnschedulableChange[];
}

/** The preemption poll found a run waiting past its grace: the core looks for victims. */
export interface PreemptionDue {
  type: 'PreemptionDue';
}

/** An operator asked for a backfill (or its dry run); the reply is its id and plan. */
export interface BackfillRequested {
  type: 'BackfillRequested';
  job: string;
  request: BackfillRequest;
  dryRun: boolean;
}

/**
 * An operator killed a run that no Mesos status will end: queued by a backfill and never
 * started (`attempt` absent), or with an attempt never placed on an agent (withdrawn).
 */
export interface KillRequested {
  type: 'KillRequested';
  runId: string;
  attempt?: number;
}

/** The framework placed launches on offers: recorded before it sends ACCEPT. */
export interface Placed {
  type: 'Placed';
  launches: PlacedLaunch[];
}

/** A task status, as the Mesos edge translated it: recorded before it is acknowledged. */
export interface StatusChanged {
  type: 'StatusChanged';
  update: TaskStatusUpdate;
}

/** Everything Dispatch takes. */
export type DispatchMessage = Tick | Loaded | Applied | RunRequested | BackfillRequested | KillRequested | PreemptionDue | UnschedulableJudged | Placed | StatusChanged;

/** What a backfill request answers. */
export interface BackfillReply {
  id: string;
  items: BackfillItem[];
}

/** The reply each message type resolves with. */
export interface Replies {
  RunRequested: string;
  BackfillRequested: BackfillReply;
}

/** The reply of message `M` (void for messages that only report). */
export type ReplyOf<M extends DispatchMessage> = M['type'] extends keyof Replies ? Replies[M['type']] : void;
