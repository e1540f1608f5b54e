/**
 * The subscription loop, after mesos-go's `controller.Run`: detect the leading master →
 * SUBSCRIBE → decode the event stream → hand every event to one handler; when the stream
 * ends, back off (capped exponential, reset by each SUBSCRIBED) and start over, until
 * `stop()`. It also keeps the FrameworkID rule (mesos.apache.org/documentation/latest/high-availability-framework-guide/,
 * mesos.apache.org/documentation/latest/scheduler-http-api/ "SUBSCRIBE"): the stored id is loaded once and sent with
 * every SUBSCRIBE so the master fails over the old connection and keeps our tasks; a new
 * id from SUBSCRIBED is saved; an ERROR saying the framework was removed forgets it, so
 * the next SUBSCRIBE registers anew instead of being refused forever.
 */
import { KairosError, messageOf } from '../core/errors.js';
import { alwaysGeneric, RetryLoop, type BackoffPolicy } from '../core/retry.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Subscription, StreamHandlers } from './client.js';
import type { MasterDetector } from './leader.js';
import type { FrameworkInfo } from './types.js';
import type { Call, Event } from './scheduler-types.js';

/** Where the FrameworkID lives between runs (the controller keeps it in its store). */
export interface FrameworkIdStore {
  load(): Promise<string | undefined>;
  /** Saves a new id; `undefined` forgets it (the master removed the framework). */
  save(id: string | undefined): Promise<void>;
}

/** What the loop is built from. */
export interface SubscriptionDeps {
  detector: MasterDetector;
  client: { subscribe(baseUrl: string, call: Call, handlers: StreamHandlers, signal?: AbortSignal): Promise<Subscription> };
  log: Logger;
  frameworkIds: FrameworkIdStore;
  clock: Clock;
  /** Between SUBSCRIBE attempts, reset by each SUBSCRIBED (src/core/retry.ts). */
  backoff: BackoffPolicy;
  /** The FrameworkInfo to subscribe with; the loop adds the id. */
  frameworkInfo(): FrameworkInfo;
  /** Every event of the stream, after the FrameworkID rule saw it. */
  handle(event: Event, sub: Subscription): void;
  /** The stream ended or never opened; `wasSubscribed` when a SUBSCRIBED had come on it. */
  ended(reason: string, wasSubscribed: boolean): void;
}

/** An ERROR message meaning the master no longer knows our FrameworkID. */
const REMOVED = /removed|not registered|unknown framework/i;

/** One framework's subscription, across masters and reconnections. */
export class SubscriptionLoop {
  private sub: Subscription | undefined;
  private id: string | undefined;
  private stopped = false;
  /** Aborted by `stop()`: abandons a master detection or a SUBSCRIBE that may never finish. */
  private readonly halt = new AbortController();
  /** The backoff between attempts and its sleep, which `stop()` cuts short. Every failure may clear (a master comes back). */
  private readonly retry: RetryLoop;

  constructor(private readonly d: SubscriptionDeps) {
    this.retry = new RetryLoop(d.clock, d.backoff, alwaysGeneric);
  }

  /** The stream a SUBSCRIBED arrived on, until it ends. */
  get stream(): Subscription | undefined {
    return this.sub;
  }

  /** The stream calls may go on: none once stopped. */
  get live(): Subscription | undefined {
    return this.stopped ? undefined : this.sub;
  }

  /** The FrameworkID: loaded at start, then the master's. */
  get frameworkId(): string | undefined {
    return this.id;
  }

  /** Subscribes and resubscribes until `stop()`; resolves when stopped. */
  async run(): Promise<void> {
    this.id = await this.d.frameworkIds.load();
    while (!this.stopped) {
      let master = '';
      let failure: unknown;
      try {
        master = await untilAborted(this.d.detector.detect(), this.halt.signal);
        const reason = await this.subscribeOnce(master);
        failure = new KairosError('E_UNAVAILABLE', `subscription ended: ${reason}`);
        this.d.log.warn('subscription ended', { master, reason });
      } catch (err) {
        failure = err;
        this.d.log.warn('cannot subscribe', { master, error: messageOf(err) });
      }
      const was = this.sub !== undefined;
      this.sub = undefined;
      this.d.ended('stream closed', was);
      if (this.stopped) break;
      await this.retry.sleep(this.retry.failed(failure) ?? this.d.backoff.initialMs);
    }
  }

  /** Drops the current stream; the loop resubscribes with backoff. */
  drop(reason: string): void {
    if (!this.sub) return;
    this.d.log.warn('dropping the subscription stream', { reason });
    this.sub.close();
  }

  /** Ends the loop: abandons what is in flight, closes the stream and ends the backoff sleep. */
  stop(): void {
    this.stopped = true;
    this.halt.abort();
    this.sub?.close();
    this.retry.cancel();
  }

  /** Opens one stream; resolves to a promise of its end (the reason). */
  private async subscribeOnce(master: string): Promise<Promise<string>> {
    let ended!: (reason: string) => void;
    const closed = new Promise<string>((resolve) => (ended = resolve));
    const info = this.d.frameworkInfo();
    const call: Call = { type: 'SUBSCRIBE', subscribe: { framework_info: this.id ? { ...info, id: { value: this.id } } : info } };
    if (this.id) call.framework_id = { value: this.id };
    let sub: Subscription | undefined;
    const pending: Event[] = [];
    const onEvent = (s: Subscription, e: Event) => {
      if (e.type === 'SUBSCRIBED') {
        this.retry.succeeded();
        this.subscribed(s, e.subscribed!.framework_id.value);
      } else if (e.type === 'ERROR') this.error(e.error?.message ?? '');
      this.d.handle(e, s);
    };
    sub = await this.d.client.subscribe(master, call, { onEvent: (e) => (sub ? onEvent(sub, e) : pending.push(e)), onClose: (err) => ended(err ? messageOf(err) : 'closed') }, this.halt.signal);
    const s = sub;
    for (const e of pending.splice(0)) onEvent(s, e);
    if (this.stopped) s.close();
    return closed;
  }

  /** The FrameworkID rule on SUBSCRIBED: the stream is ours; a new id is saved. */
  private subscribed(sub: Subscription, id: string): void {
    this.sub = sub;
    if (id === this.id) return;
    this.id = id;
    void this.d.frameworkIds.save(id).catch((e) => this.d.log.error('cannot persist FrameworkID', { error: messageOf(e) }));
  }

  /** The FrameworkID rule on ERROR: a removed framework forgets its id. */
  private error(message: string): void {
    if (!REMOVED.test(message) || !this.id) return;
    this.id = undefined;
    void this.d.frameworkIds.save(undefined).catch(() => {});
  }
}

/** `p`, or a rejection as soon as `signal` aborts (what `p` does afterwards is ignored). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new KairosError('E_UNAVAILABLE', 'stopped'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
