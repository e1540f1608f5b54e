/**
 * ACCEPT as the Mesos master handles it (Master::accept, validation::offer::validate,
 * apache/mesos src/master/master.cpp): first the offers are checked together; if any check fails
 * every task of the call is answered TASK_DROPPED (partition-aware frameworks) or
 * TASK_LOST with REASON_INVALID_OFFERS and the offers go back. Otherwise each LAUNCH
 * task is validated against what is left of the offers (TASK_ERROR, REASON_TASK_INVALID)
 * and launched; what stays unused is declined with the call's filters (default 5 s).
 */
import type { TaskInfo } from '../types.js';
import type { Call } from '../scheduler-types.js';
import type { FrameworkState } from './frameworks.js';
import type { Master } from './master.js';
import type { OfferRecord } from './allocator.js';
import { ResourceBag } from './resources.js';
import { validateTask } from './validate.js';

type Accept = NonNullable<Call['accept']>;

/** validation::offer::validate: the offers of one ACCEPT, together. */
function checkOffers(master: Master, fw: FrameworkState, ids: string[]): { offers: OfferRecord[]; error?: string } {
  const offers: OfferRecord[] = [];
  let error: string | undefined;
  if (ids.length === 0) error = 'No offers specified';
  const seen = new Set<string>();
  for (const id of ids) {
    const o = master.allocator.offers.get(id);
    if (seen.has(id)) error ??= `Duplicate offer ${id} in offer list`;
    seen.add(id);
    if (!o) {
      error ??= `Offer ${id} is no longer valid`;
      continue;
    }
    if (o.frameworkId !== fw.id) {
      error ??= `Offer ${id} has invalid framework ${o.frameworkId} while framework ${fw.id} is expected`;
      continue;
    }
    offers.push(o);
  }
  if (offers.some((o) => o.agentId !== offers[0].agentId)) error ??= 'Aggregated offers must belong to one single agent';
  if (offers.some((o) => o.role !== offers[0].role)) error ??= 'Aggregated offers must be allocated to the same role';
  return { offers, error };
}

/** See the file comment. */
export function acceptOffers(master: Master, fw: FrameworkState, accept: Accept): void {
  const cluster = master.cluster;
  const { offers, error } = checkOffers(master, fw, (accept.offer_ids ?? []).map((o) => o.value));
  for (const o of offers) master.allocator.offers.delete(o.id);
  if (error) {
    for (const o of offers) master.recover(o);
    const state = fw.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
    const tasks: TaskInfo[] = (accept.operations ?? []).filter((op) => op.type === 'LAUNCH').flatMap((op) => op.launch?.task_infos ?? []);
    for (const t of tasks)
      cluster.sendMaster(fw.id, cluster.masterStatus(t.task_id.value, state, 'REASON_INVALID_OFFERS', `Task launched with invalid offers: ${error}`, t.agent_id.value));
    return;
  }
  const { agentId, role } = offers[0];
  const available = new ResourceBag();
  for (const o of offers) available.add(o.resources);
  const mine = cluster.tasksOf(fw.id);
  // Launched tasks enter `mine.active` at once (cluster.launch), so it holds this call's too.
  const activeIds = mine.active;
  const unreachableIds = mine.unreachable;
  for (const op of accept.operations ?? []) {
    if (op.type !== 'LAUNCH') {
      master.opts.logger.warn('embedded master ignores offer operation', { type: op.type ?? 'UNKNOWN', framework: fw.id });
      continue;
    }
    for (const task of op.launch?.task_infos ?? []) {
      const id = task.task_id.value;
      const verdict = op.id
        ? { error: 'The `id` field of a LAUNCH operation is not supported' }
        : validateTask(task, { activeIds, unreachableIds, agentId, role, available });
      if ('error' in verdict) {
        cluster.sendMaster(fw.id, cluster.masterStatus(id, 'TASK_ERROR', 'REASON_TASK_INVALID', verdict.error, agentId));
        continue;
      }
      available.subtract(verdict.resources);
      cluster.launch(fw.id, role, task, verdict.resources, fw.info);
    }
  }
  const agent = cluster.agents.get(agentId);
  if (agent && agent.status !== 'gone') agent.free.add(available);
  master.allocator.refuse(fw.id, role, agentId, available, accept.filters?.refuse_seconds ?? 5);
  master.requestAllocation(agentId);
}
