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
  timer?: Timer;
  backoff: number;
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
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly clock: Clock,
    private readonly retry: RetryOptions,
    private readonly forward: (frameworkId: string, status: TaskStatus) => void,
  ) {}

  /** Queues an update (it must carry a uuid); sends it now if none is outstanding. */
  add(frameworkId: string, status: TaskStatus): void {
    const key = `${frameworkId}/${status.task_id.value}`;
    let s = this.streams.get(key);
    if (!s) this.streams.set(key, (s = { frameworkId, queue: [], backoff: this.retry.initialMs }));
    s.queue.push(status);
    if (s.queue.length === 1) this.send(s);
  }

  /**
   * Handles an ACKNOWLEDGE. Returns the acknowledged update when `uuid` matches the
   * outstanding one (then the next queued update goes out), else undefined.
   */
  ack(frameworkId: string, taskId: string, uuid: string): TaskStatus | undefined {
    const key = `${frameworkId}/${taskId}`;
    const s = this.streams.get(key);
    if (!s || s.queue[0]?.uuid !== uuid) return undefined;
    s.timer?.cancel();
    const acked = s.queue.shift();
    s.backoff = this.retry.initialMs;
    if (s.queue.length) this.send(s);
    else this.streams.delete(key);
    return acked;
  }

  /** Forgets the updates of one task (its agent is gone for good). */
  dropTask(frameworkId: string, taskId: string): void {
    const key = `${frameworkId}/${taskId}`;
    this.streams.get(key)?.timer?.cancel();
    this.streams.delete(key);
  }

  /** Forgets every update of a framework (it was removed). */
  dropFramework(frameworkId: string): void {
    for (const [key, s] of this.streams)
      if (s.frameworkId === frameworkId) {
        s.timer?.cancel();
        this.streams.delete(key);
      }
  }

  /** Resends every outstanding update of a framework now (it just subscribed again). */
  resendNow(frameworkId: string): void {
    for (const s of this.streams.values())
      if (s.frameworkId === frameworkId) {
        s.timer?.cancel();
        s.backoff = this.retry.initialMs;
        this.send(s);
      }
  }

  /** Cancels all resend timers. */
  stop(): void {
    for (const s of this.streams.values()) s.timer?.cancel();
    this.streams.clear();
  }

  private send(s: Stream): void {
    const head = s.queue[0];
    this.forward(s.frameworkId, head);
    s.timer = this.clock.setTimeout(() => {
      s.backoff = Math.min(s.backoff * 2, this.retry.maxMs);
      if (s.queue[0] === head) this.send(s);
    }, s.backoff);
  }
}
