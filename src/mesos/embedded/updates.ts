/**
 * Reliable delivery of agent status updates, as the Mesos agent's status update manager
 * does it (mesos.apache.org/documentation/latest/scheduler-http-api/ "ACKNOWLEDGE"; apache/mesos src/slave/task_status_update_manager):
 * each update carries a 16-byte uuid, only the oldest unacknowledged update of a task is
 * outstanding, and it is resent after 10 s, doubling up to 10 min, until the scheduler
 * acknowledges exactly that uuid. Master-generated updates bypass this (no uuid).
 */
import { randomFillSync } from 'node:crypto';
import type { Clock, Timer } from '../../ports/clock.js';
import type { TaskStatus } from '../types.js';

/** Resend timing; upstream STATUS_UPDATE_RETRY_INTERVAL_MIN/MAX are 10 s and 10 min. */
export interface RetryOptions {
  initialMs: number;
  maxMs: number;
}

interface Stream {
  frameworkId: string;
  queue: TaskStatus[];
  /** The resend of `queue[0]` waits in this slot; undefined once acknowledged or dropped. */
  slot?: RetrySlot;
  backoff: number;
}

/**
 * The updates sent at one instant (one `clock.now()` value) with one backoff share one
 * timer: at thousands of updates a second a timer each (armed, then cancelled by the
 * acknowledgement a millisecond later) was a tenth of the master's CPU. Each resends
 * exactly when its own timer would have.
 */
interface RetrySlot {
  readonly streams: Set<Stream>;
  timer?: Timer;
}

/** Random bytes for 1,024 uuids at a time: one call into the CSPRNG instead of one per update. */
const uuids = { pool: Buffer.alloc(16 * 1024), next: 16 * 1024 };

/** A fresh status update uuid (16 random bytes, version 4 as a UUID), base64 as the codec carries bytes. */
export function newUuid(): string {
  if (uuids.next === uuids.pool.length) {
    randomFillSync(uuids.pool);
    uuids.next = 0;
  }
  const at = uuids.next;
  uuids.next += 16;
  const p = uuids.pool;
  p[at + 6] = (p[at + 6] & 0x0f) | 0x40;
  p[at + 8] = (p[at + 8] & 0x3f) | 0x80;
  return p.toString('base64', at, at + 16);
}

/** See the file comment. `forward` delivers one update to its framework, if it can. */
export class StatusUpdateManager {
  /** Streams by framework id, then task id. */
  private readonly streams = new Map<string, Map<string, Stream>>();
  /** The slot still open for updates sent now, by backoff. */
  private readonly open = new Map<number, { at: number; slot: RetrySlot }>();

  constructor(
    private readonly clock: Clock,
    private readonly retry: RetryOptions,
    private readonly forward: (frameworkId: string, status: TaskStatus) => void,
  ) {}

  /** Queues an update (it must carry a uuid); sends it now if none is outstanding. */
  add(frameworkId: string, status: TaskStatus): void {
    let tasks = this.streams.get(frameworkId);
    if (!tasks) this.streams.set(frameworkId, (tasks = new Map()));
    let s = tasks.get(status.task_id.value);
    if (!s) tasks.set(status.task_id.value, (s = { frameworkId, queue: [], backoff: this.retry.initialMs }));
    s.queue.push(status);
    if (s.queue.length === 1) this.send(s);
  }

  /**
   * Handles an ACKNOWLEDGE. Returns the acknowledged update when `uuid` matches the
   * outstanding one (then the next queued update goes out), else undefined.
   */
  ack(frameworkId: string, taskId: string, uuid: string): TaskStatus | undefined {
    const tasks = this.streams.get(frameworkId);
    const s = tasks?.get(taskId);
    if (!s || s.queue[0]?.uuid !== uuid) return undefined;
    this.unslot(s);
    const acked = s.queue.shift();
    s.backoff = this.retry.initialMs;
    if (s.queue.length) this.send(s);
    else tasks!.delete(taskId);
    return acked;
  }

  /** Forgets the updates of one task (its agent is gone for good). */
  dropTask(frameworkId: string, taskId: string): void {
    const tasks = this.streams.get(frameworkId);
    const s = tasks?.get(taskId);
    if (s) this.unslot(s);
    tasks?.delete(taskId);
  }

  /** Forgets every update of a framework (it was removed). */
  dropFramework(frameworkId: string): void {
    for (const s of this.streams.get(frameworkId)?.values() ?? []) this.unslot(s);
    this.streams.delete(frameworkId);
  }

  /** Resends every outstanding update of a framework now (it just subscribed again). */
  resendNow(frameworkId: string): void {
    for (const s of this.streams.get(frameworkId)?.values() ?? []) {
      this.unslot(s);
      s.backoff = this.retry.initialMs;
      this.send(s);
    }
  }

  /** Cancels all resend timers. */
  stop(): void {
    for (const tasks of this.streams.values()) for (const s of tasks.values()) this.unslot(s);
    this.streams.clear();
  }

  private send(s: Stream): void {
    this.forward(s.frameworkId, s.queue[0]);
    const now = this.clock.now();
    let open = this.open.get(s.backoff);
    if (!open || open.at !== now || !open.slot.timer) {
      const slot: RetrySlot = { streams: new Set() };
      slot.timer = this.clock.setTimeout(() => this.due(slot), s.backoff);
      this.open.set(s.backoff, (open = { at: now, slot }));
    }
    open.slot.streams.add(s);
    s.slot = open.slot;
  }

  /** A slot's time came: each update still waiting is resent, with its backoff doubled. */
  private due(slot: RetrySlot): void {
    slot.timer = undefined;
    for (const s of slot.streams) {
      s.slot = undefined;
      s.backoff = Math.min(s.backoff * 2, this.retry.maxMs);
      this.send(s);
    }
    slot.streams.clear();
  }

  /** The update of `s` no longer waits for a resend; an emptied slot's timer goes. */
  private unslot(s: Stream): void {
    const slot = s.slot;
    if (!slot) return;
    s.slot = undefined;
    slot.streams.delete(s);
    if (slot.streams.size === 0 && slot.timer) {
      slot.timer.cancel();
      slot.timer = undefined;
    }
  }
}
