/** A whole controller for fake-clock tests: solo leadership, silent log, no polling, started through its first sync. */
import { Controller, type ControllerOptions } from '../../../src/controller/controller.js';
import { soloLeadership } from '../../../src/ports/leader.js';
import { silentLogger } from '../../../src/ports/logger.js';

/** What a test must give; everything else has a test default (pollMs 0, prune on, history 100). */
export type SoloOptions = Pick<ControllerOptions, 'store' | 'source' | 'clock' | 'framework'> & Partial<ControllerOptions>;

/** Builds the controller, lets `before` subscribe to its events, starts it and waits for the first sync. */
export async function startSoloController(o: SoloOptions, before?: (c: Controller) => void): Promise<Controller> {
  const c = new Controller({ logger: silentLogger, leadership: soloLeadership('http://127.0.0.1:0'), pollMs: 0, prune: true, allowMassPrune: true, historyCap: 100, ...o });
  before?.(c);
  const synced = c.events.next('sync:ok');
  await c.start();
  await synced;
  return c;
}
