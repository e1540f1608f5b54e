import { describe, expect, it } from 'vitest';
import { HeartbeatWatchdog, StarvationWatchdog } from '../../../src/mesos/watchdog.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('HeartbeatWatchdog', () => {
  it('fires only after a full timeout without any event', () => {
    const clock = new FakeClock();
    let silent = 0;
    const w = new HeartbeatWatchdog(clock, () => silent++);
    w.arm(75_000);
    clock.advance(60_000);
    w.touch();
    clock.advance(60_000);
    expect(silent).toBe(0);
    clock.advance(15_000);
    expect(silent).toBe(1);
    clock.advance(200_000);
    expect(silent).toBe(1);
  });

  it('stops watching when disarmed', () => {
    const clock = new FakeClock();
    let silent = 0;
    const w = new HeartbeatWatchdog(clock, () => silent++);
    w.arm(1000);
    w.disarm();
    clock.advance(5000);
    expect(silent).toBe(0);
    expect(clock.pending()).toBe(0);
  });
});

describe('StarvationWatchdog', () => {
  function setup() {
    const clock = new FakeClock();
    const log: string[] = [];
    let demand = true;
    const w = new StarvationWatchdog(clock, 60_000, {
      hasDemand: () => demand,
      connected: () => true,
      revive: () => log.push('revive'),
      resubscribe: () => log.push('resubscribe'),
      starving: (on) => log.push(on ? 'starving' : 'fed'),
    });
    w.start();
    return { clock, log, w, setDemand: (v: boolean) => (demand = v) };
  }

  it('escalates REVIVE, resubscribe, then starving, one step per timeout', () => {
    const { clock, log, w } = setup();
    clock.advance(59_000);
    expect(log).toEqual([]);
    clock.advance(1_000);
    expect(log).toEqual(['revive']);
    clock.advance(60_000);
    expect(log).toEqual(['revive', 'resubscribe']);
    clock.advance(60_000);
    expect(log).toEqual(['revive', 'resubscribe', 'starving', 'revive']);
    expect(w.starving).toBe(true);
    w.offerArrived();
    expect(w.starving).toBe(false);
    expect(log.at(-1)).toBe('fed');
    w.stop();
  });

  it('does nothing while offers keep coming or nothing is queued', () => {
    const { clock, log, w, setDemand } = setup();
    for (let i = 0; i < 10; i++) {
      clock.advance(30_000);
      w.offerArrived();
    }
    setDemand(false);
    clock.advance(600_000);
    expect(log).toEqual([]);
    setDemand(true);
    w.demandAppeared();
    clock.advance(60_000);
    expect(log).toEqual(['revive']);
    w.stop();
    expect(clock.pending()).toBe(0);
  });

  it('dates starvation from when demand started waiting, even if no offer ever arrived', () => {
    const { clock, w } = setup();
    const t0 = clock.now();
    expect(w.starvingSince).toBeUndefined();
    clock.advance(180_000);
    expect(w.starving).toBe(true);
    expect(w.starvingSince).toBe(t0);
    clock.advance(60_000);
    expect(w.starvingSince).toBe(t0); // escalation steps do not move it
    w.stop();
  });

  it('an old offer does not date starvation: demand appearing later starts the wait', () => {
    const { clock, w, setDemand } = setup();
    setDemand(false);
    w.offerArrived();
    clock.advance(3_600_000);
    setDemand(true);
    w.demandAppeared();
    const appeared = clock.now();
    clock.advance(30_000);
    w.demandAppeared(); // more demand does not restart the wait
    clock.advance(180_000);
    expect(w.starving).toBe(true);
    expect(w.starvingSince).toBe(appeared);
    w.offerArrived();
    expect(w.starvingSince).toBeUndefined();
    w.stop();
  });
});
