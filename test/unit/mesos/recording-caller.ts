/** A Caller for the Mesos unit tests: records every call in order, and refuses the ones `refuse` names. */
import type { Caller } from '../../../src/mesos/caller.js';
import type { Call } from '../../../src/mesos/scheduler-types.js';

/** Records calls (and their type in a shared `order` log); `refuse(call)` returning an error makes the call reject. */
export class RecordingCaller implements Caller {
  readonly calls: Call[] = [];
  refuse: (call: Call) => Error | undefined = () => undefined;

  constructor(private readonly order: string[] = []) {}

  async call(call: Call): Promise<void> {
    const err = this.refuse(call);
    if (err) throw err;
    this.calls.push(call);
    this.order.push(call.type ?? '?');
  }

  /** The calls of one type, in order. */
  of(type: NonNullable<Call['type']>): Call[] {
    return this.calls.filter((c) => c.type === type);
  }
}
