import { describe, expect, it } from 'vitest';
import { DueQueue } from '../../../src/schedule/due-queue.js';
import { TimerHeap } from '../../../src/schedule/heap.js';

describe('TimerHeap', () => {
  it('pops due entries in time order, ties in push order, and nothing early', () => {
    const h = new TimerHeap<{ at: number; id: string }>();
    const ats = [50, 10, 40, 10, 30, 20, 60, 0, 35];
    ats.forEach((at, i) => h.push({ at, id: `${at}#${i}` }));
    expect(h.peekAt()).toBe(0);
    const out: string[] = [];
    for (let e = h.popDue(40); e; e = h.popDue(40)) out.push(e.id);
    expect(out).toEqual(['0#7', '10#1', '10#3', '20#5', '30#4', '35#8', '40#2']);
    expect(h.size).toBe(2);
    expect(h.peekAt()).toBe(50);
  });
});

describe('DueQueue', () => {
  it('agrees with a sorted list under random pushes and pops, ties in push order', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const q = new DueQueue<{ at: number; id: number }>();
    const model: { at: number; id: number }[] = [];
    let now = 0;
    let id = 0;
    for (let step = 0; step < 5000; step++) {
      const op = rand(10);
      if (op < 6) {
        // near (same or next minutes), far (days), or in the past
        const span = [90_000, 5 * 86_400_000, 1][rand(3)];
        const e = { at: Math.max(0, now - 30_000 + rand(span)), id: id++ };
        q.push(e);
        model.push(e);
      } else if (op < 9) {
        now += rand(120_000);
      } else {
        now = Math.max(0, now - rand(60_000)); // the clock steps back
      }
      model.sort((a, b) => a.at - b.at || a.id - b.id);
      expect(q.peekAt()).toBe(model[0]?.at);
      const popped: number[] = [];
      for (let e = q.popDue(now); e; e = q.popDue(now)) popped.push(e.id);
      const due = model.filter((e) => e.at <= now).map((e) => e.id);
      expect(popped).toEqual(due);
      model.splice(0, due.length);
      expect(q.size).toBe(model.length);
    }
  });
});
