import { describe, expect, it } from 'vitest';
import type { TaskTemplate } from '../../../src/core/types.js';
import { template } from './fixtures.js';
import type { LaunchRequest } from '../../../src/ports/mesos.js';
import { checkNamed } from '../../../src/mesos/codec.js';
import { buildTaskInfo, labelMap, shellQuote } from '../../../src/mesos/tasks.js';
import type { Allocation } from '../../../src/mesos/resources.js';

function request(over: Partial<LaunchRequest> = {}, t: Partial<TaskTemplate> = {}): LaunchRequest {
  return { taskId: 'kairos.j@x.1', runId: 'j@x', job: 'j', attempt: 1, revision: 'abc', template: template({ command: { shell: 'echo hi' }, resources: { cpus: 0.5, mem: 64, disk: 0, gpus: 0, ports: 0 }, env: { A: '1' }, killGracePeriodSeconds: 3, ...t }), dueAt: 0, ...over };
}

const allocs: Allocation[] = [
  { name: 'cpus', template: { name: 'cpus', type: 'SCALAR', allocation_info: { role: 'kairos' } }, scalar: 0.5 },
  { name: 'mem', template: { name: 'mem', type: 'SCALAR', allocation_info: { role: 'kairos' } }, scalar: 64 },
  { name: 'ports', template: { name: 'ports', type: 'RANGES', allocation_info: { role: 'kairos' } }, ranges: [[31000, 31001]] },
];

describe('buildTaskInfo', () => {
  it('builds a valid shell TaskInfo with labels, env, kill policy and max completion time', () => {
    const info = buildTaskInfo(request({ args: ["it's", 'x'], env: { B: '2' } }, { timeoutSeconds: 60 }), 'agent-1', allocs, 'docker');
    expect(() => checkNamed('mesos.v1.TaskInfo', info)).not.toThrow();
    expect(info.command?.shell).toBe(true);
    expect(info.command?.value).toBe(`echo hi 'it'\\''s' x`);
    const env = Object.fromEntries((info.command?.environment?.variables ?? []).map((v) => [v.name, v.value]));
    expect(env).toMatchObject({ A: '1', B: '2', PORT0: '31000', PORT1: '31001', PORT: '31000', KAIROS_RUN_ID: 'j@x', KAIROS_ATTEMPT: '1' });
    expect(labelMap(info.labels?.labels)).toEqual({ 'kairos.job': 'j', 'kairos.run': 'j@x', 'kairos.revision': 'abc', 'kairos.attempt': '1' });
    expect(info.kill_policy).toEqual({ grace_period: { nanoseconds: 3e9 } });
    expect(info.max_completion_time).toEqual({ nanoseconds: 60e9 });
    expect(info.resources?.[2]).toEqual({ name: 'ports', type: 'RANGES', allocation_info: { role: 'kairos' }, ranges: { range: [{ begin: 31000, end: 31001 }] } });
    expect(info.agent_id).toEqual({ value: 'agent-1' });
    expect(info.container).toBeUndefined();
  });

  it('runs argv without a shell: full argv for the command executor, args after value for Docker', () => {
    const plain = buildTaskInfo(request({ args: ['--x'] }, { command: { argv: ['/bin/echo', 'a b'] } }), 'a', allocs, 'docker');
    expect(plain.command).toMatchObject({ shell: false, value: '/bin/echo', arguments: ['/bin/echo', 'a b', '--x'] });
    const container = { image: 'busybox:1', forcePull: true, network: 'BRIDGE' as const, portMappings: [{ hostPort: 0, containerPort: 80, protocol: 'tcp' as const }], volumes: [{ containerPath: '/d', hostPath: '/tmp', mode: 'RO' as const }], parameters: [{ key: 'memory-swap', value: '1g' }], privileged: false };
    const docker = buildTaskInfo(request({}, { command: { argv: ['echo', 'x'] }, container }), 'a', allocs, 'docker');
    expect(() => checkNamed('mesos.v1.TaskInfo', docker)).not.toThrow();
    expect(docker.command).toMatchObject({ shell: false, value: 'echo', arguments: ['x'] });
    expect(docker.container).toEqual({
      type: 'DOCKER',
      docker: { image: 'busybox:1', network: 'BRIDGE', privileged: false, force_pull_image: true, port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }], parameters: [{ key: 'memory-swap', value: '1g' }] },
      volumes: [{ container_path: '/d', host_path: '/tmp', mode: 'RO' }],
    });
    const mesos = buildTaskInfo(request({}, { command: undefined, container }), 'a', allocs, 'mesos');
    expect(mesos.container).toMatchObject({ type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'busybox:1' }, cached: false } } });
    expect(mesos.command?.shell).toBe(false);
    expect(mesos.command?.value).toBeUndefined();
  });

  it('passes fetch URIs and the user through', () => {
    const info = buildTaskInfo(request({}, { user: 'nobody', fetch: [{ uri: 'http://127.0.0.1/x.tgz', executable: false, extract: true, cache: false, outputFile: 'y.tgz' }] }), 'a', allocs, 'docker');
    expect(info.command?.uris).toEqual([{ value: 'http://127.0.0.1/x.tgz', executable: false, extract: true, cache: false, output_file: 'y.tgz' }]);
    expect(info.command?.user).toBe('nobody');
  });
});

describe('shellQuote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(shellQuote('a-b_c.d/e')).toBe('a-b_c.d/e');
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote('$(x)')).toBe(`'$(x)'`);
  });
});
