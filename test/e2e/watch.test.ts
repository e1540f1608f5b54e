/**
 * A directory source is watched: writing a manifest file syncs without a poll or webhook
 * (the `npm start` experience of editing examples/).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { jobManifest } from '../support/job-manifest.js';

describe('kairos serve on a directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-dir-'));
  let ctl: RunningController | undefined;
  afterAll(async () => {
    await ctl?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies a manifest file as soon as it is written, with polling off', async () => {
    ctl = await startController(compileServeConfig({ source: dir, store: 'memory', listen: '127.0.0.1:0', poll: '0', agents: '1' }), {
      logger: silentLogger,
      watchDebounceMs: 50,
    });
    await ctl.controller.whenReady();
    expect(ctl.controller.view.sync().result).toBe('ok');
    const applied = ctl.events.next('sync:ok', (e) => e.created.includes('edited'));
    writeFileSync(join(dir, 'edited.yaml'), jobManifest('edited', '0 * * * *', 'true'));
    await applied;
    expect(ctl.controller.view.job('edited')?.schedule).toBe('cron 0 * * * * (UTC)');
  });
});
