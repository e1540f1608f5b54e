/**
 * The one way a scheduler Call leaves the framework, after mesos-go's `calls.Caller` and
 * its `callrules`: a Caller sends one Call (never SUBSCRIBE, which the subscription owns),
 * and decorators add what every call needs, so the offer flow, the status pipe and the
 * reconciler hold one small interface instead of lambdas:
 * - `streamCaller`: POSTs on the current subscription stream (`Mesos-Stream-Id`), and
 *   rejects with E_UNAVAILABLE while there is none (mesos.apache.org/documentation/latest/scheduler-http-api/: calls
 *   other than SUBSCRIBE need the stream id of a live subscription);
 * - `withFrameworkId`: stamps the FrameworkID the master gave us, or rejects without one;
 * - `withMetrics`: turns calls the master took into the framework's typed events
 *   (`accepted`, `declined`, `revived`, `suppressed`), which tests and metrics follow;
 * - `onFailure`: runs a rule when a call of one type is refused (an ACCEPT that failed
 *   leaves the tasks' fate unknown, so the framework reconciles).
 */
import { KairosError } from '../core/errors.js';
import type { Subscription } from './client.js';
import type { Call } from './scheduler-types.js';

/** Sends one scheduler call; resolves once the master took it (202). */
export interface Caller {
  call(call: Call): Promise<void>;
}

/** The events `withMetrics` reports, named and shaped as in FrameworkEvents. */
export interface CallEvents {
  accepted: [{ offerId: string; taskIds: string[] }];
  declined: [{ count: number; refuseSeconds: number }];
  revived: [];
  suppressed: [];
}

/** Reports one call event (the framework's EventEmitter `emit`, narrowed). */
export type EmitCallEvent = <K extends keyof CallEvents>(name: K, ...args: CallEvents[K]) => void;

function unavailable(): Promise<never> {
  return Promise.reject(new KairosError('E_UNAVAILABLE', 'not subscribed to a Mesos master'));
}

/** POSTs on `stream()`, the live subscription, through `client` (client.ts `call`). */
export function streamCaller(client: { call(sub: Subscription, call: Call): Promise<void> }, stream: () => Subscription | undefined): Caller {
  return {
    call(call) {
      const sub = stream();
      return sub ? client.call(sub, call) : unavailable();
    },
  };
}

/** Every call carries `frameworkId()`; without one (never subscribed) it is refused. */
export function withFrameworkId(next: Caller, frameworkId: () => string | undefined): Caller {
  let stamp = { framework_id: { value: '' } };
  return {
    call(call) {
      const id = frameworkId();
      if (!id) return unavailable();
      if (stamp.framework_id.value !== id) stamp = { framework_id: { value: id } };
      // Object.assign, not a spread: objects spread from another read many times slower (two calls per task).
      return next.call(Object.assign({}, call, stamp));
    },
  };
}

/**
 * The event a call stands for, if any, as a function that reports it. Taken when the call
 * is sent, so an ACCEPT's TaskInfos (kilobytes per task) are not kept alive until its
 * answer, only their ids.
 */
function reportOf(emit: EmitCallEvent, call: Call): (() => void) | undefined {
  switch (call.type) {
    case 'ACCEPT': {
      const launch = call.accept?.operations?.find((o) => o.type === 'LAUNCH')?.launch;
      const e = { offerId: call.accept?.offer_ids?.[0]?.value ?? '', taskIds: (launch?.task_infos ?? []).map((t) => t.task_id.value) };
      return () => emit('accepted', e);
    }
    case 'DECLINE': {
      const e = { count: call.decline?.offer_ids?.length ?? 0, refuseSeconds: call.decline?.filters?.refuse_seconds ?? 0 };
      return () => emit('declined', e);
    }
    case 'REVIVE':
      return () => emit('revived');
    case 'SUPPRESS':
      return () => emit('suppressed');
    default:
      return undefined;
  }
}

/** Reports each call the master took as its framework event (after it resolved, never before); ACKNOWLEDGEs, one per update, pass straight through. */
export function withMetrics(next: Caller, emit: EmitCallEvent): Caller {
  return {
    call(call) {
      const report = reportOf(emit, call);
      const sent = next.call(call);
      return report ? sent.then(report) : sent;
    },
  };
}

/** Runs `rule` when a call of `type` is refused, then rejects as before. */
export function onFailure(next: Caller, type: NonNullable<Call['type']>, rule: (err: unknown) => void): Caller {
  return {
    call(call) {
      const sent = next.call(call);
      if (call.type !== type) return sent;
      return sent.catch((err: unknown) => {
        rule(err);
        throw err;
      });
    },
  };
}
