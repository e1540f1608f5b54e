/**
 * A real controller for browser tests: manifests written to a temp directory, the memory
 * store, the embedded Mesos master with local agents running real tasks, its first sync
 * done, and a browser; `close()` stops and removes all of it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileServeConfig, type ServeFlags } from '../../src/config.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { openBrowser, type TestBrowser } from './browser.js';

/** The running controller, its manifest directory and the browser. */
export interface ControllerPage {
  dir: string;
  c: RunningController;
  b: TestBrowser;
  close(): Promise<void>;
}

/** Starts it all; `manifests` gets the temp directory (for files the tasks write there); `flags` add to `kairos serve`'s. */
export async function openControllerPage(manifests: (dir: string) => string, flags: ServeFlags = {}): Promise<ControllerPage> {
  const dir = await mkdtemp(join(tmpdir(), 'kairos-ui-'));
  await writeFile(join(dir, 'jobs.yaml'), manifests(dir));
  const c = await startController(compileServeConfig({ source: dir, store: 'memory', listen: '127.0.0.1:0', agents: '1', ...flags }, {}), { logger: silentLogger });
  // The first sync may still be running; the page polls, so the test only needs it to finish.
  if (c.controller.view.sync().result !== 'ok') await c.events.next('sync:ok');
  const b = await openBrowser();
  return {
    dir,
    c,
    b,
    close: async () => {
      await b.close();
      await c.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
