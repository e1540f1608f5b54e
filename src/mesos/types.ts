/**
 * TypeScript shapes of the Mesos v1 messages Kairos exchanges, exactly as src/mesos/codec.ts
 * decodes them from either encoding: upstream snake_case field names, enums as their
 * names, int64/uint64 as numbers (exact up to 2^53; TimeInfo nanoseconds of today keep
 * 256 ns), bytes as base64 strings, unset optional fields absent
 * (proto2 defaults are NOT filled in: a reader applies them, e.g. Filters.refuse_seconds
 * = 5). Field numbers live in proto/mesos/v1/mesos.proto; Call and Event are in
 * ./scheduler-types.ts.
 */

/** Any Mesos ID message (FrameworkID, OfferID, AgentID, TaskID, ExecutorID). */
export interface ID {
  value: string;
}

/** TimeInfo / DurationInfo. */
export interface Nanos {
  nanoseconds: number;
}

export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}

/** mesos.v1.URL: where an agent serves HTTP (Offer.url). */
export interface MesosURL {
  scheme: string;
  address: Address;
  path?: string;
}

export interface Label {
  key: string;
  value?: string;
}
export interface Labels {
  labels?: Label[];
}
export interface Parameter {
  key: string;
  value: string;
}

/** FrameworkInfo.Capability.Type (mesos.proto). */
export type CapabilityType =
  | 'UNKNOWN'
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

export interface FrameworkInfo {
  user: string;
  name: string;
  id?: ID;
  /** Seconds; upstream default 0 (any disconnect removes the framework). */
  failover_timeout?: number;
  checkpoint?: boolean;
  /** Deprecated; with MULTI_ROLE use `roles`. */
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type?: CapabilityType }[];
  labels?: Labels;
}

export interface MasterInfo {
  id: string;
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
}

export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
export interface Range {
  begin: number;
  end: number;
}
export interface Scalar {
  value: number;
}
export interface Ranges {
  range?: Range[];
}

export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: { item?: string[] };
  text?: { value: string };
}

export interface AllocationInfo {
  role?: string;
}

export interface Resource {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: { item?: string[] };
  role?: string;
  allocation_info?: AllocationInfo;
  reservations?: { type?: 'UNKNOWN' | 'STATIC' | 'DYNAMIC'; role?: string; principal?: string; labels?: Labels }[];
  revocable?: Record<string, never>;
  shared?: Record<string, never>;
}

export interface Offer {
  id: ID;
  framework_id: ID;
  agent_id: ID;
  hostname: string;
  url?: MesosURL;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ID[];
  allocation_info?: AllocationInfo;
}

export type OperationType =
  | 'UNKNOWN'
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';

/** Offer.Operation; Kairos only uses LAUNCH. */
export interface Operation {
  type?: OperationType;
  id?: ID;
  launch?: { task_infos?: TaskInfo[] };
}

export interface URI {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  output_file?: string;
}

/** Secret (mesos.proto): Kairos sends only type VALUE, the data resolved at launch (base64 bytes). */
export interface Secret {
  type?: 'UNKNOWN' | 'REFERENCE' | 'VALUE';
  reference?: { name: string; key?: string };
  value?: { data: string };
}

export interface EnvironmentVariable {
  name: string;
  type?: 'UNKNOWN' | 'VALUE' | 'SECRET';
  value?: string;
  secret?: Secret;
}

export interface CommandInfo {
  uris?: URI[];
  environment?: { variables?: EnvironmentVariable[] };
  /** Upstream default true: `/bin/sh -c value`, arguments ignored. */
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

export interface Image {
  type: 'APPC' | 'DOCKER';
  docker?: { name: string };
  cached?: boolean;
}

export interface Volume {
  mode: 'RW' | 'RO';
  container_path: string;
  host_path?: string;
  image?: Image;
  /** Kairos uses type SECRET: a file at `container_path` (relative: in the sandbox) holding the secret. */
  source?: { type?: 'UNKNOWN' | 'DOCKER_VOLUME' | 'HOST_PATH' | 'SANDBOX_PATH' | 'SECRET' | 'CSI_VOLUME'; secret?: Secret };
}

export interface DockerInfo {
  image: string;
  network?: 'HOST' | 'BRIDGE' | 'NONE' | 'USER';
  port_mappings?: { host_port: number; container_port: number; protocol?: string }[];
  privileged?: boolean;
  parameters?: Parameter[];
  force_pull_image?: boolean;
}

export interface ContainerInfo {
  type: 'DOCKER' | 'MESOS';
  volumes?: Volume[];
  hostname?: string;
  docker?: DockerInfo;
  mesos?: { image?: Image };
  /** Docker USER networks name theirs here (NetworkInfo.name). */
  network_infos?: { name?: string }[];
}

export interface KillPolicy {
  grace_period?: Nanos;
}

export interface TaskInfo {
  name: string;
  task_id: ID;
  agent_id: ID;
  resources?: Resource[];
  command?: CommandInfo;
  container?: ContainerInfo;
  kill_policy?: KillPolicy;
  /** base64 */
  data?: string;
  labels?: Labels;
  max_completion_time?: Nanos;
}

/** TaskState names (mesos.proto). */
export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

/** Terminal per `isTerminalState` in apache/mesos src/common/protobuf_utils.cpp (TASK_LOST included). */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

/** TaskStatus.Reason names (all upstream values start with `REASON_`). */
export type TaskStatusReason = `REASON_${string}`;

export interface TaskStatus {
  task_id: ID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  data?: string;
  agent_id?: ID;
  executor_id?: ID;
  /** Seconds since the epoch (double). */
  timestamp?: number;
  /** base64 of 16 bytes; set only on agent-generated updates, which must be acknowledged. */
  uuid?: string;
  healthy?: boolean;
  labels?: Labels;
  unreachable_time?: Nanos;
}
