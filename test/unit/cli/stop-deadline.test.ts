import { describe, expect, it } from 'vitest';
import { armStopDeadline, STOP_DEADLINE_MS } from '../../../src/cli/stop-deadline.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('the stop deadline of kairos serve', () => {
  it('exits with status 1, saying why, when the stop has not ended the process in time', async () => {
    const clock = new FakeClock();
    const said: string[] = [];
    const exits: number[] = [];
    armStopDeadline(clock, STOP_DEADLINE_MS, (l) => said.push(l), (c) => exits.push(c));
    await clock.advanceAsync(STOP_DEADLINE_MS - 1);
    expect(exits).toEqual([]);
    await clock.advanceAsync(1);
    expect(exits).toEqual([1]);
    expect(said).toEqual(['kairos: the stop did not finish within 25 s; exiting without waiting for it']);
  });
});
