/**
 * The scheduler calls other than SUBSCRIBE, as the embedded master answers them after
 * the HTTP checks (Master::Http::scheduler in apache/mesos src/master/http.cpp, the handlers in
 * apache/mesos src/master/master.cpp): TEARDOWN, ACCEPT (accept.ts), DECLINE with its filter,
 * REVIVE/SUPPRESS per role, KILL, ACKNOWLEDGE, RECONCILE, UPDATE_FRAMEWORK; calls it
 * does not emulate answer 501.
 */
import type { Call } from '../scheduler-types.js';
import { acceptOffers } from './accept.js';
import type { FrameworkState } from './frameworks.js';
import type { Master } from './master.js';
import { hasCapability, rolesOf, validateRole } from './validate.js';

/** Result of a non-SUBSCRIBE call after the HTTP checks: status code and message. */
export interface CallResult {
  status: 202 | 501;
  message?: string;
}

/** Dispatches a validated, authorised non-SUBSCRIBE call (Master::Http::scheduler). */
export function handleCall(master: Master, fw: FrameworkState, call: Call): CallResult {
  switch (call.type) {
    case 'TEARDOWN':
      master.removeFramework(fw.id);
      break;
    case 'ACCEPT':
      acceptOffers(master, fw, call.accept!);
      break;
    case 'DECLINE':
      master.counters.declineCalls++;
      for (const { value } of call.decline!.offer_ids ?? []) {
        const o = master.allocator.offers.get(value);
        if (!o || o.frameworkId !== fw.id) continue;
        master.counters.offersDeclined++;
        master.recover(o);
        master.allocator.refuse(fw.id, o.role, o.agentId, o.resources, call.decline!.filters?.refuse_seconds ?? 5);
      }
      break;
    case 'REVIVE':
    case 'SUPPRESS': {
      const asked = (call.type === 'REVIVE' ? call.revive?.roles : call.suppress?.roles) ?? [];
      // Upstream drops the whole call when any role is invalid or not the framework's.
      if (asked.some((r) => validateRole(r) !== undefined || !fw.roles.includes(r))) break;
      const roles = asked.length ? asked : fw.roles;
      if (call.type === 'REVIVE') {
        master.allocator.revive(fw.id, roles);
        master.requestAllocation();
      } else master.allocator.suppress(fw.id, roles);
      break;
    }
    case 'KILL': {
      const k = call.kill!;
      master.cluster.kill(fw.id, k.task_id.value, k.agent_id?.value, k.kill_policy?.grace_period?.nanoseconds, fw.partitionAware);
      break;
    }
    case 'ACKNOWLEDGE':
      master.cluster.acknowledge(fw.id, call.acknowledge!.task_id.value, call.acknowledge!.uuid);
      break;
    case 'RECONCILE':
      master.cluster.reconcile(
        fw.id,
        (call.reconcile!.tasks ?? []).map((t) => ({ taskId: t.task_id.value, agentId: t.agent_id?.value })),
        fw.partitionAware,
      );
      break;
    case 'UPDATE_FRAMEWORK': {
      const info = call.update_framework!.framework_info;
      fw.info = { ...info, id: { value: fw.id } };
      fw.roles = rolesOf(info);
      fw.partitionAware = hasCapability(info, 'PARTITION_AWARE');
      fw.killingState = hasCapability(info, 'TASK_KILLING_STATE');
      master.requestAllocation();
      break;
    }
    case 'SHUTDOWN': // no custom executors run here: nothing to shut down
    case 'MESSAGE':
    case 'REQUEST':
      break;
    default:
      return { status: 501, message: `Call type ${call.type} is not supported by the embedded master (see README, Embedded master: what it does not emulate)` };
  }
  return { status: 202 };
}
