/**
 * Preloaded (`--import`) into the processes HA tests start: exits as soon as the test
 * process that started it is gone, so a test worker killed on a timeout leaves no
 * controller running. A child of a dead parent is re-parented, which changes its ppid.
 */
import { systemClock } from '../../src/ports/clock.js';

const parent = process.ppid;
const check = (): void => {
  if (process.ppid !== parent) process.exit(1);
  systemClock.setTimeout(check, 1_000);
};
check();
