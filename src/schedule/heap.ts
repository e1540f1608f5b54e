/**
 * A binary min-heap of timed entries: the scheduler's due-run queue. Pushing and popping
 * cost O(log n), so a tick's cost grows with the number of entries that are due, never
 * with the number of jobs that merely exist. Entries are never removed from the middle;
 * their owner invalidates them and skips stale ones when they surface (lazy deletion).
 */

/** Something due at `at` (epoch ms). Ties pop in push order. */
export interface Timed {
  at: number;
}

interface Slot<T> {
  at: number;
  seq: number;
  item: T;
}

/** The min-heap; `T` is the payload, `at` its due time. */
export class TimerHeap<T extends Timed> {
  private slots: Slot<T>[] = [];
  private seq = 0;

  /** Number of entries queued. */
  get size(): number {
    return this.slots.length;
  }

  /** Queues `item` for its `at`. */
  push(item: T): void {
    const slots = this.slots;
    slots.push({ at: item.at, seq: this.seq++, item });
    let i = slots.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      [slots[i], slots[parent]] = [slots[parent], slots[i]];
      i = parent;
    }
  }

  /** The due time of the earliest entry, or undefined when empty. */
  peekAt(): number | undefined {
    return this.slots[0]?.at;
  }

  /** Removes and returns the earliest entry if it is due at or before `now`. */
  popDue(now: number): T | undefined {
    const slots = this.slots;
    if (slots.length === 0 || slots[0].at > now) return undefined;
    const top = slots[0].item;
    const last = slots.pop()!;
    if (slots.length > 0) {
      slots[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < slots.length && this.less(l, m)) m = l;
        if (r < slots.length && this.less(r, m)) m = r;
        if (m === i) break;
        [slots[i], slots[m]] = [slots[m], slots[i]];
        i = m;
      }
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.slots[a];
    const y = this.slots[b];
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }
}
