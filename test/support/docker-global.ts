/**
 * vitest globalSetup: one private dockerd (test/support/docker.ts) for the whole run, with
 * TEST_IMAGE built, handed to test files through `provide('kairosDocker')`. Under CI=true a
 * daemon that cannot start fails the run; elsewhere the reason is provided instead, and every
 * Docker test then fails with it when it calls `testDocker()` (none is ever skipped).
 */
import type { TestProject } from 'vitest/node';
import { buildTestImages, startDocker, type TestDocker } from './docker.js';

let daemon: TestDocker | undefined;

/** Starts the daemon and builds the test image. */
export async function setup(project: TestProject): Promise<void> {
  try {
    daemon = await startDocker();
    await buildTestImages(daemon);
    project.provide('kairosDocker', { socket: daemon.socket, host: daemon.host, dir: daemon.dir });
  } catch (err) {
    await daemon?.stop();
    daemon = undefined;
    if (process.env.CI === 'true') throw err;
    project.provide('kairosDocker', { error: (err as Error).message });
  }
}

/** Removes every container the run left, stops the daemon, deletes its directory. */
export async function teardown(): Promise<void> {
  await daemon?.stop();
}
