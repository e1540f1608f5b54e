/**
 * The domain model every stage shares: a compiled Job/DAG (manifest after validation and
 * defaulting), desired and applied state, and runs. Manifests are parsed into these types
 * once, at the edge (src/manifests); nothing downstream sees raw YAML.
 *
 * Field names follow the manifest format documented in README.md; where a field mirrors
 * Chronos, Metronome or Kubernetes CronJob, the doc comment says which.
 */

/** A schedule: ISO 8601 repeating interval (Chronos) or cron (Metronome, CronJob). */
export type ScheduleSpec =
  | { kind: 'iso8601'; expression: string; timeZone: string }
  | { kind: 'cron'; expression: string; timeZone: string };

/** What to run: exactly one of a shell string (`/bin/sh -c`) or an argv vector. */
export type CommandSpec = { shell: string } | { argv: string[] };

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface VolumeSpec {
  containerPath: string;
  hostPath: string;
  mode: 'RO' | 'RW';
}

/** A Docker image to run in, as Chronos/Metronome `container`. */
export interface ContainerSpec {
  image: string;
  forcePull: boolean;
  network: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
  networkName?: string;
  portMappings: PortMapping[];
  volumes: VolumeSpec[];
  /** `docker run --<key>=<value>` parameters. */
  parameters: { key: string; value: string }[];
  privileged: boolean;
}

/** Scalar resources per task, and how many host ports to reserve. */
export interface Resources {
  cpus: number;
  /** MiB */
  mem: number;
  /** MiB */
  disk: number;
  gpus: number;
  /** Number of host ports to allocate from the offer's `ports` range. */
  ports: number;
}

export type ConstraintOperator = 'EQUALS' | 'LIKE' | 'UNLIKE' | 'UNIQUE' | 'GROUP_BY' | 'MAX_PER';

/** Placement constraint on an agent attribute or `hostname` (Marathon/Chronos style). */
export interface Constraint {
  attribute: string;
  operator: ConstraintOperator;
  /** EQUALS/LIKE/UNLIKE: value or regex; GROUP_BY/MAX_PER: a number as text; UNIQUE: none. */
  value?: string;
}

/** Retries with exponential backoff. `count: 0` means none (Chronos #633). */
export interface RetryPolicy {
  count: number;
  initialDelaySeconds: number;
  maxDelaySeconds: number;
}

/** A URI the Mesos fetcher downloads into the sandbox (CommandInfo.URI). */
export interface FetchUri {
  uri: string;
  executable: boolean;
  extract: boolean;
  cache: boolean;
  outputFile?: string;
}

/** A secret delivered to a task as an environment variable or a sandbox file, never from git. */
export interface SecretRef {
  /** Environment variable name in the task (exactly one of `env` and `file`). */
  env?: string;
  /** File path relative to the sandbox (Metronome's file-based secrets). */
  file?: string;
  /** Secret name in the configured secret source. */
  secret: string;
}

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';
export type CatchUpPolicy = 'none' | 'latest' | 'all';

/** What happens to a job's running runs when the job is pruned from git. */
export type PrunePolicy = 'finish' | 'kill';

/** The runnable part of a job, shared by Jobs and inline DAG task templates. */
export interface TaskTemplate {
  command?: CommandSpec;
  container?: ContainerSpec;
  resources: Resources;
  env: Record<string, string>;
  secrets: SecretRef[];
  fetch: FetchUri[];
  constraints: Constraint[];
  retries: RetryPolicy;
  /** `maxDuration` in seconds: the run is killed and marked timed out after it. */
  timeoutSeconds?: number;
  /** Mesos KillPolicy grace period between SIGTERM and SIGKILL. */
  killGracePeriodSeconds: number;
  /** Run as this OS user on the agent (Chronos `runAsUser`). */
  user?: string;
  /** Higher runs first when offers are scarce (Chronos `highPriority`). */
  priority: number;
  /** `spec.clusters`: the named Mesos clusters its runs may go to, in order of preference; absent: all. */
  clusters?: string[];
  /**
   * A running task of this template may be killed to make room for a waiting run of
   * strictly higher priority (src/schedule/preemption.ts); it is then run again. Absent: no.
   */
  preemptible?: boolean;
  /** When a run of this template, still waiting for resources, may preempt (default: the controller's `--preemption-after`). */
  preemption?: { afterSeconds: number };
}

/** When and how often a Job or DAG fires, and what happens around its runs. */
export interface RunPolicy {
  schedule?: ScheduleSpec;
  concurrencyPolicy: ConcurrencyPolicy;
  startingDeadlineSeconds?: number;
  catchUp: CatchUpPolicy;
  suspend: boolean;
  history: { succeeded: number; failed: number };
  onPrune: PrunePolicy;
  /** Who is told about which events of the runs (schemas/notify.schema.json). */
  notify?: NotifyRule[];
  /** A run not finished this long after its scheduled instant raises `sla_missed` once (Airflow `sla`). */
  sla?: { finishWithinSeconds: number };
  /**
   * What a manual run may change (`spec.overrides`); enforced by the controller's runNow.
   * Absent (state applied by an older version): args yes, env none.
   */
  overrides?: OverridePolicy;
}

/** `spec.overrides`: append args or not, and which env variables a manual run may set. */
export interface OverridePolicy {
  args: boolean;
  env: string[];
}

/** What a notification is about (schemas/notify.schema.json `event`). */
export type NotifyEvent = 'failed' | 'missed' | 'sla_missed' | 'unschedulable' | 'recovered' | 'succeeded' | 'preempted';

/** A value given in the manifest, or the name of a controller environment variable holding it (a secret). */
export type StringOrSecret = string | { env: string };

/** Where a notification goes: exactly one target. */
export type NotifyTarget =
  | { webhook: { url: StringOrSecret; secret?: StringOrSecret } }
  | { slack: { url: StringOrSecret } }
  | { email: { to: string[] } };

/** One `notify:` item: events and a target. */
export type NotifyRule = { on: NotifyEvent[] } & NotifyTarget;

/** A compiled Job: manifest + defaults. */
export interface JobSpec extends TaskTemplate, RunPolicy {
  /** Chronos parents: run after each of these succeeded (never together with schedule). */
  after: string[];
}

/** When a DAG task may start, from its upstream tasks' outcomes (Airflow trigger rules). */
export type TriggerRule =
  | 'all_succeeded'
  | 'all_done'
  | 'all_failed'
  | 'one_succeeded'
  | 'one_failed'
  | 'none_failed'
  | 'none_failed_min_one_success'
  | 'none_skipped';

export interface DagTaskSpec {
  name: string;
  /** Either a reference to a Job by name, or an inline template. */
  job?: string;
  template?: TaskTemplate;
  dependsOn: string[];
  trigger: TriggerRule;
}

/** A compiled DAG: a schedule plus named tasks with dependencies. */
export interface DagSpec extends RunPolicy {
  tasks: DagTaskSpec[];
}

export interface Metadata {
  name: string;
  owner?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Where a manifest came from, for error messages and the UI's "file@commit". */
export interface SourceRef {
  file: string;
  line: number;
  commit?: string;
}

/** One desired object: a Job or a DAG with its metadata and origin. */
export type Resource =
  | { kind: 'Job'; metadata: Metadata; spec: JobSpec; source: SourceRef }
  | { kind: 'DAG'; metadata: Metadata; spec: DagSpec; source: SourceRef };

/** Desired state: what the manifests at one commit (or directory snapshot) declare. */
export interface DesiredState {
  /** Commit id for git sources; a content hash for directory sources. */
  revision: string;
  resources: Resource[];
}

/** One applied object as recorded in the store: the resource and when it was applied. */
export interface AppliedResource {
  resource: Resource;
  revision: string;
  appliedAt: number;
  /** The manifest document as written in git at `revision` (YAML text), when it was kept. */
  manifest?: string;
}

/** Terminal and non-terminal states of a run (one scheduled or manual execution). */
export type RunState =
  | 'pending' // due, waiting for an offer
  | 'unschedulable' // waiting, but no known agent could ever hold it (src/schedule/unschedulable.ts)
  | 'launching' // intent written, ACCEPT sent
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'killed'
  | 'timed_out'
  | 'missed' // later than startingDeadlineSeconds: recorded, not run
  | 'skipped' // Forbid with a run in progress, or a DAG task whose rule can no longer hold
  | 'lost'; // the task vanished and retries are exhausted

export const TERMINAL_RUN_STATES: ReadonlySet<RunState> = new Set([
  'succeeded',
  'failed',
  'killed',
  'timed_out',
  'missed',
  'skipped',
  'lost',
]);

/**
 * States of a run whose attempt waits in the framework's queue for a fitting offer:
 * `unschedulable` is `pending` with a verdict that no agent could ever hold it; the task
 * stays queued, so an offer that fits launches it as from `pending`.
 */
export function awaitsOffer(state: RunState): boolean {
  return state === 'pending' || state === 'unschedulable';
}

export function isTerminalRun(state: RunState): boolean {
  return TERMINAL_RUN_STATES.has(state);
}
