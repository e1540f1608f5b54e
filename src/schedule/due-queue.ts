/**
 * The scheduler's due queue: fires, retry backoffs and timeouts by due time. Entries sit
 * in one-minute buckets (a hashed calendar queue, Brown 1988, as in kernel timer wheels):
 * adding an entry is a Map lookup and an array push, and only the bucket keys live in a
 * min-heap, so the heap sees one operation per minute that has entries, not one per entry.
 * A bucket is sorted only when it falls due, so a tick costs about O(d log d) for d due
 * entries, whether 1,000 or 1,000,000 other jobs wait in later buckets.
 *
 * Ties (same due time) come out in insertion order.
 */
import { TimerHeap, type Timed } from './heap.js';

const BUCKET_MS = 60_000;

interface Slot<T> {
  at: number;
  seq: number;
  item: T;
}

interface Bucket<T> {
  min: number;
  slots: Slot<T>[];
}

const bySlot = <T>(a: Slot<T>, b: Slot<T>) => a.at - b.at || a.seq - b.seq;

/** A priority queue of timed entries tuned for "many waiting, few due"; see the module comment. */
export class DueQueue<T extends Timed> {
  private buckets = new Map<number, Bucket<T>>();
  private keys = new TimerHeap<{ at: number }>();
  /** The bucket being drained, sorted; entries before `head` are gone. */
  private current: Slot<T>[] = [];
  private head = 0;
  private currentKey = -Infinity;
  private seq = 0;
  private count = 0;

  /** Number of entries queued. */
  get size(): number {
    return this.count;
  }

  /** Queues `item` for its `at`. */
  push(item: T): void {
    const slot = { at: item.at, seq: this.seq++, item };
    const key = Math.floor(item.at / BUCKET_MS);
    this.count++;
    if (key <= this.currentKey) {
      // Into the bucket being drained (or earlier): keep it sorted.
      let i = this.current.length;
      while (i > this.head && bySlot(this.current[i - 1], slot) > 0) i--;
      this.current.splice(i, 0, slot);
      return;
    }
    const b = this.buckets.get(key);
    if (b) {
      b.slots.push(slot);
      if (slot.at < b.min) b.min = slot.at;
    } else {
      this.buckets.set(key, { min: slot.at, slots: [slot] });
      this.keys.push({ at: key });
    }
  }

  /** The due time of the earliest entry, or undefined when empty. */
  peekAt(): number | undefined {
    if (this.head < this.current.length) return this.current[this.head].at;
    const key = this.keys.peekAt();
    return key === undefined ? undefined : this.buckets.get(key)!.min;
  }

  /** Removes and returns the earliest entry if it is due at or before `now`. */
  popDue(now: number): T | undefined {
    if (this.head >= this.current.length) {
      const at = this.peekAt();
      if (at === undefined || at > now) return undefined;
      const key = this.keys.popDue(Infinity)!.at;
      this.current = this.buckets.get(key)!.slots.sort(bySlot);
      this.buckets.delete(key);
      this.head = 0;
      this.currentKey = key;
    }
    const slot = this.current[this.head];
    if (slot.at > now) return undefined;
    this.head++;
    this.count--;
    if (this.head === this.current.length) {
      this.current = [];
      this.head = 0;
    }
    return slot.item;
  }
}
