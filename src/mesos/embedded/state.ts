/**
 * Read views of the embedded master: a subset of the Mesos `/master/state` JSON
 * (frameworks with tasks and offers, agents) and `/master/tasks`, in the upstream field
 * names, plus one
 * addition, `sandbox` on tasks run by the local agent; and sandbox file reads shaped like
 * the agent's `/files/read` ({ data, offset }; offset -1 asks for the file size).
 */
import type { TaskRecord } from './records.js';
import type { Master } from './master.js';
import type { ResourceBag } from './resources.js';

/** Resources as /master/state renders them: scalars as numbers, ranges as "[a-b, c-d]". */
export function resourcesJson(bag: ResourceBag): Record<string, number | string> {
  const out: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const [k] of bag.scalars) out[k] = bag.scalar(k);
  for (const [k, v] of bag.ranges) out[k] = `[${v.map(([b, e]) => `${b}-${e}`).join(', ')}]`;
  for (const [k, v] of bag.sets) out[k] = `{${[...v].join(', ')}}`;
  return out;
}

function taskJson(master: Master, t: TaskRecord) {
  const sandbox = master.cluster.agents.get(t.agentId)?.agent.sandbox(t.info.task_id.value);
  return {
    id: t.info.task_id.value,
    name: t.info.name,
    framework_id: t.frameworkId,
    slave_id: t.agentId,
    state: t.state,
    role: t.role,
    resources: resourcesJson(t.resources),
    statuses: t.statuses.map((s) => ({ state: s.state, timestamp: s.timestamp })),
    // Upstream renders `labels` only when the task has some (apache/mesos src/common/http.cpp).
    ...(t.info.labels?.labels?.length ? { labels: t.info.labels.labels } : {}),
    ...(sandbox ? { sandbox } : {}),
  };
}

/** The `/master/state` subset. */
export function stateOf(master: Master) {
  const info = master.masterInfo();
  const agents = [...master.cluster.agents.values()];
  return {
    id: info.id,
    pid: info.pid,
    hostname: info.hostname,
    version: info.version,
    leader: info.pid,
    activated_slaves: agents.filter((a) => a.status === 'active').length,
    frameworks: [...master.frameworks.values()].map((f) => {
      const t = master.cluster.tasksOf(f.id);
      return {
        id: f.id,
        name: f.info.name,
        user: f.info.user,
        roles: f.roles,
        active: !!f.stream && !f.stream.closed,
        connected: !!f.stream && !f.stream.closed,
        capabilities: (f.info.capabilities ?? []).map((c) => c.type),
        failover_timeout: f.info.failover_timeout ?? 0,
        registered_time: f.registeredAt / 1000,
        suppressed_roles: master.allocator.suppressedRoles(f.id),
        tasks: [...t.active.values()].map((r) => taskJson(master, r)),
        unreachable_tasks: [...t.unreachable.values()].map((r) => taskJson(master, r)),
        completed_tasks: t.completed.map((r) => taskJson(master, r)),
        offers: master.allocator.find((o) => o.frameworkId === f.id).map((o) => ({ id: o.id, slave_id: o.agentId, resources: resourcesJson(o.resources) })),
      };
    }),
    completed_frameworks: [...master.removedFrameworks].map((id) => ({ id })),
    slaves: agents.map((a) => ({
      id: a.agent.id,
      // Every local agent is served by this master's HTTP server (Offer.url says the same).
      pid: `slave(1)@${master.address.ip}:${master.address.port}`,
      hostname: a.agent.hostname,
      port: master.address.port,
      active: a.status === 'active',
      status: a.status,
      kind: a.agent.kind,
      resources: resourcesJson(a.agent.total),
      unreserved_resources: resourcesJson(a.free),
      attributes: Object.fromEntries(a.agent.attributes.map((x) => [x.name, x.text?.value ?? x.scalar?.value ?? ''])),
    })),
  };
}

/**
 * The `/master/tasks` answer (apache/mesos src/master/readonly_handler.cpp `tasks`): `{ tasks }` with
 * the active, unreachable and completed tasks of every framework, or of `framework_id`
 * only, narrowed to `task_id` when given (upstream honours `task_id` together with
 * `framework_id`). Paging (`limit`, `offset`, `order`) is not emulated.
 */
export function tasksOf(master: Master, query: URLSearchParams) {
  const frameworkId = query.get('framework_id');
  const taskId = query.get('task_id');
  const out: ReturnType<typeof taskJson>[] = [];
  for (const [fid, t] of master.cluster.tasks) {
    if (frameworkId !== null && fid !== frameworkId) continue;
    for (const r of [...t.active.values(), ...t.unreachable.values(), ...t.completed])
      if (frameworkId === null || taskId === null || r.info.task_id.value === taskId) out.push(taskJson(master, r));
  }
  return { tasks: out };
}

/**
 * `/master/frameworks` (apache/mesos src/master/readonly_handler.cpp `frameworks`): the frameworks of
 * `/master/state`, narrowed by `framework_id` when given, and the completed ones.
 */
export function frameworksOf(master: Master, query: URLSearchParams) {
  const state = stateOf(master);
  const id = query.get('framework_id');
  return {
    frameworks: state.frameworks.filter((f) => id === null || f.id === id),
    completed_frameworks: state.completed_frameworks.filter((f) => id === null || f.id === id),
    unregistered_frameworks: [],
  };
}

/** `/master/slaves` (apache/mesos src/master/readonly_handler.cpp `slaves`): the agents, narrowed by `slave_id`. */
export function slavesOf(master: Master, query: URLSearchParams) {
  const id = query.get('slave_id');
  return { slaves: stateOf(master).slaves.filter((a) => id === null || a.id === id), recovered_slaves: [] };
}
