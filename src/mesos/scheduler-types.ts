/**
 * TypeScript shapes of the scheduler.proto messages (Call, Event and their enums), the
 * calls a framework sends and the events its SUBSCRIBE stream carries, in the same form
 * as ./types.ts (mesos.proto): snake_case fields and enum names, as codec.ts decodes both
 * encodings. Field numbers live in proto/mesos/v1/scheduler.proto.
 */
import type { FrameworkInfo, ID, KillPolicy, MasterInfo, Offer, Operation, TaskStatus } from './types.js';

/** Filters of an ACCEPT or DECLINE: how long the master keeps the resources left from this framework. */
export interface Filters {
  /** Upstream default 5 seconds. */
  refuse_seconds?: number;
}

/** scheduler.proto Call.Type names. */
export type CallTypeName =
  | 'UNKNOWN'
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'ACCEPT_INVERSE_OFFERS'
  | 'DECLINE_INVERSE_OFFERS'
  | 'REVIVE'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'ACKNOWLEDGE_OPERATION_STATUS'
  | 'RECONCILE'
  | 'RECONCILE_OPERATIONS'
  | 'MESSAGE'
  | 'REQUEST'
  | 'SUPPRESS'
  | 'UPDATE_FRAMEWORK';

/** mesos.v1.scheduler.Call: one request body to `/api/v1/scheduler`. */
export interface Call {
  framework_id?: ID;
  type?: CallTypeName;
  subscribe?: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
  accept?: { offer_ids?: ID[]; operations?: Operation[]; filters?: Filters };
  decline?: { offer_ids?: ID[]; filters?: Filters };
  revive?: { roles?: string[] };
  suppress?: { roles?: string[] };
  kill?: { task_id: ID; agent_id?: ID; kill_policy?: KillPolicy };
  shutdown?: { executor_id: ID; agent_id: ID };
  acknowledge?: { agent_id: ID; task_id: ID; uuid: string };
  reconcile?: { tasks?: { task_id: ID; agent_id?: ID }[] };
  message?: { agent_id: ID; executor_id: ID; data: string };
  update_framework?: { framework_info: FrameworkInfo; suppressed_roles?: string[] };
}

/** scheduler.proto Event.Type names. */
export type EventTypeName =
  | 'UNKNOWN'
  | 'SUBSCRIBED'
  | 'OFFERS'
  | 'INVERSE_OFFERS'
  | 'RESCIND'
  | 'RESCIND_INVERSE_OFFER'
  | 'UPDATE'
  | 'UPDATE_OPERATION_STATUS'
  | 'MESSAGE'
  | 'FAILURE'
  | 'ERROR'
  | 'HEARTBEAT';

/** mesos.v1.scheduler.Event: one RecordIO record of the SUBSCRIBE stream. */
export interface Event {
  type?: EventTypeName;
  subscribed?: { framework_id: ID; heartbeat_interval_seconds?: number; master_info?: MasterInfo };
  offers?: { offers?: Offer[] };
  rescind?: { offer_id: ID };
  update?: { status: TaskStatus };
  message?: { agent_id: ID; executor_id: ID; data: string };
  failure?: { agent_id?: ID; executor_id?: ID; status?: number };
  error?: { message: string };
}
