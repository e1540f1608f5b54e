/**
 * The port between the controller (what should run) and the Mesos framework (how it gets
 * onto agents). The controller asks for launches and kills; the framework matches offers,
 * calls back `persistLaunch` BEFORE it sends ACCEPT (intent is durable first), and calls
 * `onStatus` for every task status update, acknowledging it to Mesos only after the hook
 * resolved (mesos.apache.org/documentation/latest/high-availability-framework-guide/: write intent before launching;
 * status updates are at-least-once, so `onStatus` must be idempotent).
 */
import type { TaskOutcome } from '../core/outcome.js';
import type { ClusterView } from '../core/cluster-view.js';
import type { TaskTemplate } from '../core/types.js';

/** A task the controller wants running. `taskId` derives from run id and attempt. */
export interface LaunchRequest {
  taskId: string;
  runId: string;
  job: string;
  attempt: number;
  /** Manifest revision the run comes from; becomes a task label. */
  revision: string;
  template: TaskTemplate;
  /** Extra argv appended / env merged for manual runs with overrides. */
  args?: string[];
  env?: Record<string, string>;
  /** Names of secret env overrides; their values join `secrets.env` at launch. */
  secretEnv?: string[];
  /** Epoch ms the run became due: older first within the same priority. */
  dueAt: number;
  /** Epoch ms of the run's scheduled instant (`KAIROS_SCHEDULED_AT`); backfill runs carry a past one. */
  scheduledAt?: number;
  /**
   * The template's `secrets:` resolved at launch (env name → value, sandbox file → value).
   * In memory only: never stored, logged or shown; it becomes Mesos Secrets in the TaskInfo.
   */
  secrets?: { env: Record<string, string>; files: Record<string, string> };
}

/** A task the matcher placed on an offer; handed to `persistLaunch` before ACCEPT. */
export interface PlacedLaunch {
  request: LaunchRequest;
  agentId: string;
  hostname: string;
  /** The named cluster it goes to (src/clusters), recorded with the intent; absent with one unnamed cluster. */
  cluster?: string;
}

/** The Kairos run a task belongs to, as its launch labels say (src/mesos/tasks.ts). */
export interface TaskRunRef {
  runId: string;
  attempt: number;
  /** Manifest revision the run was launched from; `unknown` when the labels do not say. */
  revision: string;
}

/**
 * A task status update, translated once at the Mesos edge (src/mesos/status.ts
 * `statusUpdateOf`): the controller reads `outcome`, never a Mesos state name.
 */
export interface TaskStatusUpdate {
  taskId: string;
  /** What the state (and reason) means for the run: the Mesos edge's one mapping (src/mesos/status.ts). */
  outcome: TaskOutcome;
  /** Mesos TaskState name, e.g. `TASK_RUNNING`: stored and shown to people, never interpreted outside src/mesos. */
  mesosState: string;
  /** Mesos TaskStatus.Reason name, for people. */
  reason?: string;
  message?: string;
  /** Epoch ms from TaskStatus.timestamp (or when it arrived). */
  at: number;
  /** Exit code when Mesos reports one (parsed from the message / container status). */
  exitStatus?: number;
  agentId?: string;
  hostname?: string;
  /** Where the task's sandbox is (a local directory, or an agent's `/files` URL), when known. */
  sandbox?: string;
  /** The run and attempt the task's launch labels name; absent for a task not (yet) known as a Kairos run. */
  run?: TaskRunRef;
  /** True when this update came from reconciliation rather than from the task itself. */
  fromReconciliation: boolean;
}

/** Why a requested task has not launched yet, for `explain` and the API. */
export interface PendingInfo {
  taskId: string;
  runId: string;
  since: number;
  reason: string;
  /** The cluster it waits on, with several clusters (src/clusters). */
  cluster?: string;
  /** Why the run is, or is not, on each cluster of its preference, in order. */
  clusters?: { cluster: string; eligible: boolean; why: string }[];
}

/** One named cluster's state, with several clusters (`--cluster`). */
export interface NamedClusterStatus extends Omit<ClusterStatus, 'clusters'> {
  name: string;
}

/** What the framework knows of the cluster, for `/v1/cluster`, health and metrics. */
export interface ClusterStatus {
  connected: boolean;
  frameworkId?: string;
  master?: string;
  starving: boolean;
  /**
   * While starving: epoch ms since which queued tasks have waited without an offer (the
   * later of the last offer and the moment demand appeared; set even if no offer ever came).
   */
  starvingSince?: number;
  /** Epoch ms of the last offer received. */
  lastOfferAt?: number;
  offersReceived: number;
  offersDeclined: number;
  revives: number;
  suppressed: boolean;
  /** Every named cluster's own state, in `--cluster` order (the fields above sum or join them). */
  clusters?: NamedClusterStatus[];
}

/** An agent's total resources (reserved or not), as the master reports them: what it could ever hold. */
export interface AgentResources {
  cpus: number;
  /** MiB */
  mem: number;
  /** MiB */
  disk: number;
  gpus: number;
  /** Number of ports in the agent's `ports` ranges. */
  ports: number;
}

/** One active agent as the cluster's facts know it. */
export interface AgentShape {
  id: string;
  hostname: string;
  /** Attributes in text form (scalars as their number), as constraints read them. */
  attributes: Record<string, string>;
  resources: AgentResources;
}

/**
 * What the cluster could ever hold: its active agents with their totals and attributes,
 * read from the master (src/mesos/capacity.ts). Judges whether a run is unschedulable
 * (src/schedule/unschedulable.ts) and whether a plan's jobs fit (src/plan/capacity.ts);
 * `GET /v1/cluster` serves it as `facts`, which `kairos reconcile --cluster-facts` reads.
 */
export interface ClusterFacts {
  /** Epoch ms the master was asked. */
  at: number;
  agents: AgentShape[];
}

export interface FrameworkHooks {
  /** Persist the launch intent; a rejection means "do not launch" (offer is declined). */
  persistLaunch(launches: PlacedLaunch[]): Promise<void>;
  /** Persist a status update; resolves before the update is acknowledged to Mesos. */
  onStatus(update: TaskStatusUpdate): Promise<void>;
  /**
   * The cluster the store's launch intent records for a task (undefined: unknown task, or
   * an intent written before clusters had names). With several clusters, a task reported
   * by another cluster is killed there and never counted.
   */
  clusterOf?(taskId: string): string | undefined;
}

/** A task the store says is live, handed to `start` for reconciliation. */
export interface KnownTask {
  taskId: string;
  agentId?: string;
  /** The cluster its intent records (several clusters only). */
  cluster?: string;
}

/** The framework as the controller sees it. */
export interface MesosFramework {
  /** Queue tasks for launch; idempotent by taskId. */
  launch(requests: LaunchRequest[]): void;
  /** Withdraw a queued task (not yet placed) or kill a launched one. */
  kill(taskId: string): Promise<void>;
  /**
   * Takes a task back out of the launch queue if it is still only queued (not being
   * placed, not launched): true when it was. Lets a router move a waiting run elsewhere
   * without any chance of it also launching here. Optional: without it, runs never move.
   */
  withdraw?(taskId: string): boolean;
  /** Tasks still waiting for a fitting offer, with the reason. */
  pending(): PendingInfo[];
  /**
   * Total cpus and mem (MiB) of the cluster's active agents, as the master reports them;
   * undefined while not subscribed. Optional: a framework that cannot tell leaves it out.
   */
  capacity?(): Promise<{ cpus: number; mem: number; agents: number } | undefined>;
  /** The active agents' totals and attributes; undefined while not subscribed. Optional like `capacity`. */
  clusterFacts?(): Promise<ClusterFacts | undefined>;
  status(): ClusterStatus;
  /**
   * The agents with Kairos's live tasks and what they had free, and the queued task ids,
   * for the schedule core's preemption decision. Optional: without it nothing is preempted.
   */
  clusterView?(): ClusterView;
  /** Subscribe (with `force` only right after winning leadership) and run until stopped. */
  start(opts: { force: boolean; knownTasks: KnownTask[] }): Promise<void>;
  stop(): Promise<void>;
}
