/**
 * `kairos serve --mesos http://...` (a master it does not embed, so agents count as remote):
 * a run's logs are read through the agent's `/files/read`, located from Offer.url.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileServeConfig } from '../../src/config.js';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { silentLogger } from '../../src/ports/logger.js';
import { startController, type RunningController } from '../../src/wiring.js';
import { jobManifest } from '../support/job-manifest.js';

describe('kairos serve against a separate master', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kairos-e2e-remote-'));
  let em: EmbeddedMaster | undefined;
  let ctl: RunningController | undefined;
  afterAll(async () => {
    await ctl?.stop();
    await em?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads a finished run's stdout and stderr from its agent over HTTP", async () => {
    em = await startEmbeddedMaster({ heartbeatIntervalMs: 500, allocationIntervalMs: 50, localAgents: 1, localResources: 'cpus:2;mem:1024;disk:1024' });
    writeFileSync(join(dir, 'hello.yaml'), jobManifest('hello', undefined, 'echo out-line; echo err-line >&2'));
    ctl = await startController(compileServeConfig({ source: dir, store: 'memory', listen: '127.0.0.1:0', poll: '0', mesos: em.url }), { logger: silentLogger });
    await ctl.controller.whenReady();
    const done = ctl.events.next('run:state', (e) => e.job === 'hello' && e.state === 'succeeded');
    const run = await ctl.controller.actions.runNow('hello');
    await done;
    const attempt = ctl.controller.view.run(run.id)!.attempts[0];
    expect(attempt.sandbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/frameworks\/[^/]+\/executors\/[^/]+\/runs\/latest$/);
    expect(await ctl.controller.view.logs(run.id, 'stdout')).toMatchObject({ attempt: 1, offset: 0, data: 'out-line\n', size: 9 });
    expect(await ctl.controller.view.logs(run.id, 'stderr', { offset: 4 })).toMatchObject({ offset: 4, data: 'line\n', size: 9 });
  });
});
