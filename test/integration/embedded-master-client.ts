/**
 * A raw scheduler client for the embedded-master tests: plain node:http requests and
 * the project's codec/RecordIO, so the tests see exactly the bytes a real framework sees.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { decodeEvent, encodeCall, type Encoding } from '../../src/mesos/codec.js';
import { RecordIODecoder } from '../../src/mesos/recordio.js';
import type { FrameworkInfo, Offer, TaskInfo } from '../../src/mesos/types.js';
import type { Call, Event } from '../../src/mesos/scheduler-types.js';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** POSTs raw bytes with the given headers. */
export function rawPost(url: string, body: Uint8Array | string, headers: Record<string, string>, method = 'POST'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/scheduler`, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends a non-SUBSCRIBE call. */
export function call(url: string, c: Call, streamId?: string, enc: Encoding = 'application/json'): Promise<RawResponse> {
  return rawPost(url, encodeCall(c, enc), { 'Content-Type': enc, ...(streamId ? { 'Mesos-Stream-Id': streamId } : {}) });
}

export const frameworkInfo = (extra: Partial<FrameworkInfo> = {}): FrameworkInfo => ({
  user: 'kairos',
  name: 'test',
  failover_timeout: 3600,
  roles: ['batch'],
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
  ...extra,
});

/** A TaskInfo on `offer`'s agent: 0.1 cpus and 32 MiB for role `batch`, running `true`, unless `extra` says otherwise. */
export const taskOn = (id: string, offer: Offer, extra: Partial<TaskInfo> = {}): TaskInfo => ({
  name: id,
  task_id: { value: id },
  agent_id: offer.agent_id,
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role: 'batch' } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 32 }, allocation_info: { role: 'batch' } },
  ],
  command: { value: 'true' },
  ...extra,
});

/** One SUBSCRIBE connection, decoding events as they arrive. */
export class Subscription {
  readonly events: Event[] = [];
  private consumed = new Set<number>();
  private waiters: (() => void)[] = [];
  status = 0;
  headers: IncomingHttpHeaders = {};
  ended = false;
  error: unknown;
  private destroy: () => void = () => {};

  static open(url: string, info: FrameworkInfo, enc: Encoding = 'application/json', headers: Record<string, string> = {}): Promise<Subscription> {
    const sub = new Subscription();
    const body = encodeCall({ type: 'SUBSCRIBE', ...(info.id ? { framework_id: info.id } : {}), subscribe: { framework_info: info } }, enc);
    return new Promise((resolve, reject) => {
      const all: Record<string, string> = { 'Content-Type': enc, Accept: enc, ...headers };
      if (all.Accept === '') delete all.Accept; // '' means: send no Accept header at all
      const req = request(`${url}/api/v1/scheduler`, { method: 'POST', headers: all }, (res) => {
        sub.status = res.statusCode ?? 0;
        sub.headers = res.headers;
        const streamEnc = res.headers['content-type'] as Encoding;
        const decoder = new RecordIODecoder();
        res.on('data', (chunk: Buffer) => {
          for (const rec of decoder.push(chunk)) sub.events.push(decodeEvent(rec, streamEnc));
          sub.wake();
        });
        const end = () => {
          sub.ended = true;
          sub.wake();
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
        resolve(sub);
      });
      sub.destroy = () => req.destroy();
      req.on('error', (e) => {
        sub.error = e;
        sub.ended = true;
        sub.wake();
        reject(e);
      });
      req.end(body);
    });
  }

  get streamId(): string {
    return this.headers['mesos-stream-id'] as string;
  }

  get frameworkId(): string {
    return this.events.find((e) => e.type === 'SUBSCRIBED')!.subscribed!.framework_id.value;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Takes the first not-yet-taken event matching `pred`, waiting for it if needed. */
  async take(pred: (e: Event) => boolean, what = 'event', timeoutMs = 10_000): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex((e, k) => !this.consumed.has(k) && pred(e));
      if (i >= 0) {
        this.consumed.add(i);
        return this.events[i];
      }
      if (this.ended) throw new Error(`stream ended while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Takes the next task status update for `taskId` (optionally in `state`). */
  async update(taskId: string, state?: string): Promise<NonNullable<Event['update']>['status']> {
    const e = await this.take(
      (x) => x.type === 'UPDATE' && x.update!.status.task_id.value === taskId && (state === undefined || x.update!.status.state === state),
      `${state ?? 'update'} of ${taskId}`,
    );
    return e.update!.status;
  }

  /** Waits until the stream has ended. */
  async closed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('stream did not close');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Calls with this subscription's framework id and stream id. */
  call(url: string, c: Omit<Call, 'framework_id'>, enc: Encoding = 'application/json'): Promise<RawResponse> {
    return call(url, { ...c, framework_id: { value: this.frameworkId } }, this.streamId, enc);
  }

  /** Closes the connection from the client side. */
  close(): void {
    this.destroy();
  }
}
