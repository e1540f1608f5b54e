/**
 * The suite's private Docker engine (test/support/docker.ts): it answers on its own socket
 * under a temp dir, runs the locally built busybox image with real exit codes and limits,
 * and never uses the default daemon socket.
 */
import { describe, expect, it } from 'vitest';
import { TEST_IMAGE, testDocker } from '../support/docker.js';

describe('test dockerd', () => {
  const d = testDocker();

  it('is private: its own socket under a temp dir, its own data root', async () => {
    expect(d.socket.startsWith(d.dir)).toBe(true);
    expect(d.socket).not.toBe('/var/run/docker.sock');
    expect(await d.docker(['info', '--format', '{{.DockerRootDir}}'])).toBe(`${d.dir}/data`);
  });

  it('runs the local busybox image with its exit code, user and limits', async () => {
    const name = `kairos-engine-${process.pid}`;
    await expect(d.docker(['run', '--name', name, '--net', 'none', '-u', 'nobody', '--memory', '32m', TEST_IMAGE, 'sh', '-c', 'id -u; exit 7'])).rejects.toThrow();
    const state = await d.docker(['inspect', name, '--format', '{{.State.ExitCode}} {{.Config.User}} {{.HostConfig.Memory}}']);
    expect(state).toBe('7 nobody 33554432');
    expect(await d.docker(['logs', name])).toBe('65534');
    await d.docker(['rm', name]);
    expect(await d.docker(['ps', '-aq', '--filter', `name=${name}`])).toBe('');
  });
});
