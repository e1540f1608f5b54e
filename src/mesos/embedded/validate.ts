/**
 * The checks the Mesos master applies to a subscribing FrameworkInfo and to each task of
 * an ACCEPT, in the same order and with the same messages (apache/mesos src/master/validation.cpp:
 * framework::validate, task::internal::validateTask/validateExecutor;
 * apache/mesos src/common/validation.cpp: validateID, validateEnvironment, validateContainerInfo).
 * A failed check yields the message; the caller turns it into an ERROR event or a
 * TASK_ERROR update.
 */
import type { FrameworkInfo, TaskInfo } from '../types.js';
import type { ResourceBag } from './resources.js';
import { ResourceBag as Bag } from './resources.js';

const NAME_MAX = 255;

/** common::validation::validateID. */
export function validateId(id: string): string | undefined {
  if (id.length === 0) return 'ID must not be empty';
  if (id.length > NAME_MAX) return `ID must not be greater than ${NAME_MAX} characters`;
  if (id === '.' || id === '..') return `'${id}' is disallowed`;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f/\\]/.test(id)) return `'${id}' contains invalid characters`;
  return undefined;
}

/** roles::validate (apache/mesos src/common/roles.cpp): `*`, or '/'-separated non-special components. */
export function validateRole(role: string): string | undefined {
  if (role === '*') return undefined;
  if (role === '') return 'Empty role name is invalid';
  for (const part of role.split('/')) {
    if (part === '' || part === '.' || part === '..') return `Role '${role}' cannot have an empty, '.' or '..' component`;
    if (part.startsWith('-')) return `Role '${role}' cannot start a component with '-'`;
    if (/[\s\x00-\x1f\x7f\\]/.test(part)) return `Role '${role}' cannot contain whitespace, control characters or backslashes`;
  }
  return undefined;
}

/** Whether a FrameworkInfo declares a capability. */
export function hasCapability(info: FrameworkInfo, type: string): boolean {
  return (info.capabilities ?? []).some((c) => c.type === type);
}

/** The roles a framework subscribes with: `roles` if MULTI_ROLE, else `role` (default `*`). */
export function rolesOf(info: FrameworkInfo): string[] {
  return hasCapability(info, 'MULTI_ROLE') ? [...(info.roles ?? [])] : [info.role ?? '*'];
}

/** framework::validate: roles, framework id, failover timeout. */
export function validateFrameworkInfo(info: FrameworkInfo): string | undefined {
  const multi = hasCapability(info, 'MULTI_ROLE');
  if (multi && info.role !== undefined) return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
  if (!multi && (info.roles ?? []).length > 0) return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
  if (multi) {
    const seen = new Set<string>();
    const dup = (info.roles ?? []).filter((r) => (seen.has(r) ? true : (seen.add(r), false)));
    if (dup.length) return `'FrameworkInfo.roles' contains duplicate items: { ${[...new Set(dup)].join(', ')} }`;
    for (const r of info.roles ?? []) {
      const e = validateRole(r);
      if (e) return `'FrameworkInfo.roles' contains invalid role: ${e}`;
    }
  } else {
    const e = validateRole(info.role ?? '*');
    if (e) return `'FrameworkInfo.role' is not a valid role: ${e}`;
  }
  if (info.id?.value) {
    const e = validateId(info.id.value);
    if (e) return e;
  }
  const ft = info.failover_timeout ?? 0;
  if (!Number.isFinite(ft) || ft < 0) return `The framework failover_timeout (${ft}) is invalid`;
  return undefined;
}

/** What task validation needs to know about the framework, the agent and the offer. */
export interface TaskContext {
  /** Active task ids of the framework, including those launched earlier in this ACCEPT. */
  activeIds: { has(id: string): boolean };
  /** Task ids of the framework on unreachable agents. */
  unreachableIds: { has(id: string): boolean };
  agentId: string;
  /** The offer's allocation role. */
  role: string;
  /** What is left of the offered resources. */
  available: ResourceBag;
}

const err = (error: string) => ({ error });

/** task::validate for one TaskInfo; on success returns its resources as a bag. */
export function validateTask(task: TaskInfo, ctx: TaskContext): { error: string } | { resources: ResourceBag } {
  const id = task.task_id.value;
  const idError = validateId(id);
  if (idError) return err(idError);
  if (ctx.activeIds.has(id)) return err(`Task has duplicate ID: ${id}`);
  if (ctx.unreachableIds.has(id)) return err(`Task reuses the ID of an unreachable task: ${id}`);
  if (task.agent_id.value !== ctx.agentId) return err(`Task uses invalid agent ${task.agent_id.value} while agent ${ctx.agentId} is expected`);
  if ((task.kill_policy?.grace_period?.nanoseconds ?? 0) < 0) return err("Task's 'kill_policy.grace_period' must be non-negative");
  if ((task.max_completion_time?.nanoseconds ?? 0) < 0) return err("Task's `max_completion_time` must be non-negative");
  const resources = task.resources ?? [];
  if (resources.length === 0) return err('Task uses no resources');
  for (const r of resources) {
    if (r.type === 'SCALAR' && !(Number.isFinite(r.scalar?.value) && (r.scalar?.value ?? -1) >= 0))
      return err(`Task uses invalid resources: invalid scalar resource ${r.name}`);
    if (r.type === 'RANGES' && (r.ranges?.range ?? []).some((x) => x.begin > x.end)) return err(`Task uses invalid resources: invalid ranges in ${r.name}`);
    const role = r.allocation_info?.role;
    if (role !== undefined && role !== ctx.role)
      return err(`Invalid task resources: resources are allocated to role '${role}' but the offer is for role '${ctx.role}'`);
    if (r.name === 'gpus' && r.scalar && !Number.isInteger(r.scalar.value)) return err("Task uses invalid resources: The 'gpus' resource must be an unsigned integer");
  }
  for (const v of task.command?.environment?.variables ?? []) {
    if (v.type === 'UNKNOWN') return err("Task's `CommandInfo` is invalid: Environment variable of type 'UNKNOWN' is not allowed");
    if ((v.type ?? 'VALUE') === 'VALUE' && v.value === undefined)
      return err(`Task's \`CommandInfo\` is invalid: Environment variable '${v.name}' of type 'VALUE' must have a value set`);
    if (v.type === 'SECRET' && v.secret === undefined)
      return err(`Task's \`CommandInfo\` is invalid: Environment variable '${v.name}' of type 'SECRET' must have a secret set`);
  }
  const c = task.container;
  if (c) {
    for (const v of c.volumes ?? [])
      if ((v.host_path !== undefined ? 1 : 0) + (v.image !== undefined ? 1 : 0) + (v.source !== undefined ? 1 : 0) !== 1)
        return err("Task's `ContainerInfo` is invalid: Invalid volume: Only one of them should be set: 'host_path', 'image' and 'source'");
    if (c.type === 'DOCKER') {
      if (!c.docker) return err("Task's `ContainerInfo` is invalid: DockerInfo 'docker' is not set for DOCKER typed ContainerInfo");
      if ((c.docker.parameters ?? []).some((p) => p.key === 'name')) return err("Task's `ContainerInfo` is invalid: Parameter in DockerInfo must not be 'name'");
    }
  }
  // The embedded master has no custom executors: CommandInfo is the one executor field.
  if (!task.command) return err('Task should have at least one (but not both) of CommandInfo or ExecutorInfo present');
  const need = Bag.from(resources);
  if (!ctx.available.contains(need)) return err('Total resources required by task and its executor is more than available');
  return { resources: need };
}
