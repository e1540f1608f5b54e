/**
 * A Docker task on the real agent's Docker containerizer (`--containerizers=docker,mesos`
 * talking to the suite's private dockerd, test/support/docker.ts): the image runs, its exit
 * code reaches the framework, its output lands in the real sandbox, and the container the
 * agent started is one the test dockerd really ran.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAgentFile } from '../../src/mesos/sandbox.js';
import { TEST_IMAGE, testDocker } from '../support/docker.js';
import { MESOS_TEST_TIMEOUTS, type MesosCluster, startMesos } from '../support/mesos.js';
import { shellTask, startFramework, type TestFramework } from './framework.harness.js';

vi.setConfig(MESOS_TEST_TIMEOUTS);

const docker = testDocker();
let mesos: MesosCluster;
let t: TestFramework;
beforeAll(async () => {
  mesos = await startMesos({ containerizers: 'docker,mesos', dockerSocket: docker.socket });
  t = await startFramework(mesos.url, { containerizer: 'docker' });
});
afterAll(async () => {
  await t?.stop();
  await mesos?.stop();
});

const container = { image: TEST_IMAGE, forcePull: false, network: 'HOST' as const, portMappings: [], volumes: [], parameters: [], privileged: false };

describe('Docker tasks on a real Mesos agent', () => {
  it('runs the image through the docker containerizer: exit code, sandbox output, a real container', async () => {
    const ok = shellTask('echo "in $(cat /proc/1/cgroup | grep -c docker) docker; busybox $(busybox | head -1 | cut -d" " -f2)"', { container });
    const bad = shellTask('exit 4', { container });
    const sandboxes = new Map<string, string | undefined>();
    t.fw.on('status', (u) => u.mesosState === 'TASK_RUNNING' && sandboxes.set(u.taskId, t.fw.sandboxOf(u.taskId)));
    t.fw.launch([ok, bad]);
    expect(await t.waitForState(ok.taskId, 'TASK_FINISHED')).toMatchObject({ exitStatus: 0 });
    expect(await t.waitForState(bad.taskId, 'TASK_FAILED')).toMatchObject({ exitStatus: 4 });
    const out = await readAgentFile(sandboxes.get(ok.taskId)!, 'stdout', 0, 100_000);
    expect(out.data).toMatch(/busybox v1\.\d+/);
    // The Docker containerizer names containers mesos-<container id>; the test daemon ran them.
    const names = (await docker.docker(['ps', '-a', '--format', '{{.Names}} {{.Image}}'])).split('\n');
    expect(names.filter((n) => n.startsWith('mesos-') && n.endsWith(TEST_IMAGE)).length).toBeGreaterThanOrEqual(2);
  });
});
