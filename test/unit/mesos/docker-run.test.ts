/**
 * `docker run` argv from a TaskInfo, as the Mesos Docker containerizer builds it
 * (Docker::RunOptions::create, Docker::run), and the TaskInfo Kairos builds for secrets
 * (Mesos `Secret` of type VALUE in env variables and SECRET volumes).
 */
import { describe, expect, it } from 'vitest';
import { dockerRunArgv, isDockerTask } from '../../../src/mesos/embedded/docker.js';
import { checkNamed } from '../../../src/mesos/codec.js';
import { buildTaskInfo } from '../../../src/mesos/tasks.js';
import type { TaskInfo } from '../../../src/mesos/types.js';
import { launchRequest, template } from './fixtures.js';

const ctx = { name: 'mesos-c1', sandbox: '/sb/t1', secretEnv: {}, labels: { 'kairos.task': 't' } };
const base: TaskInfo = {
  name: 't',
  task_id: { value: 't' },
  agent_id: { value: 'a' },
  resources: [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.25 } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 16 } },
  ],
  command: { value: 'echo $X', environment: { variables: [{ name: 'X', value: '1' }] } },
  container: { type: 'DOCKER', docker: { image: 'alpine:3' } },
};

describe('dockerRunArgv', () => {
  it('maps resources to limits (with Mesos minimums), the sandbox mount and MESOS_SANDBOX, host network by default', () => {
    const { argv, env } = dockerRunArgv(base, ctx);
    expect(argv).toEqual([
      'run', '--cpu-shares', '256', '--memory', String(32 * 2 ** 20), '--memory-swap', String(32 * 2 ** 20),
      '-e', 'X=1', '-e', 'MESOS_SANDBOX=/mnt/mesos/sandbox', '-e', 'MESOS_CONTAINER_NAME=mesos-c1',
      '-v', '/sb/t1:/mnt/mesos/sandbox', '--net', 'host', '--label', 'kairos.task=t',
      '--entrypoint', '/bin/sh', '--name', 'mesos-c1', 'alpine:3', '-c', 'echo $X',
    ]);
    expect(env).toEqual({});
  });

  it('passes user, bridge port mappings, parameters, privileged and volumes (relative paths in the sandbox); secrets by name only', () => {
    const t: TaskInfo = {
      ...base,
      command: { shell: false, value: '/app/run', arguments: ['--fast'], user: 'nobody' },
      container: {
        type: 'DOCKER',
        docker: { image: 'img', network: 'BRIDGE', privileged: true, port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'TCP' }], parameters: [{ key: 'shm-size', value: '64m' }] },
        volumes: [
          { mode: 'RO', container_path: '/data', host_path: 'cache' },
          { mode: 'RW', container_path: 'out', host_path: '/srv/out' },
        ],
      },
    };
    const { argv, env } = dockerRunArgv(t, { ...ctx, secretEnv: { PW: 'hunter22' } });
    expect(argv).toEqual(expect.arrayContaining(['--privileged', '--user', 'nobody', '-p', '31000:80/tcp', '--shm-size=64m', '-e', 'PW']));
    expect(argv).toContain('/sb/t1/cache:/data:ro');
    expect(argv).toContain('/srv/out:/mnt/mesos/sandbox/out:rw');
    expect(argv.slice(-3)).toEqual(['img', '/app/run', '--fast']);
    expect(argv.join(' ')).not.toContain('hunter22');
    expect(env).toEqual({ PW: 'hunter22' });
  });

  it('uses the named network for USER and refuses what Mesos refuses', () => {
    const user = (infos?: { name?: string }[]): TaskInfo => ({ ...base, container: { type: 'DOCKER', docker: { image: 'i', network: 'USER' }, network_infos: infos } });
    expect(dockerRunArgv(user([{ name: 'etl-net' }]), ctx).argv).toContain('etl-net');
    expect(() => dockerRunArgv(user(), ctx)).toThrow('No network info found in container info');
    expect(() => dockerRunArgv(user([{}]), ctx)).toThrow('No network name found in network info');
    const hostPorts: TaskInfo = { ...base, container: { type: 'DOCKER', docker: { image: 'i', port_mappings: [{ host_port: 1, container_port: 2 }] } } };
    expect(() => dockerRunArgv(hostPorts, ctx)).toThrow('Port mappings are only supported for bridge and user-defined networks');
    const relative: TaskInfo = { ...base, container: { type: 'DOCKER', docker: { image: 'i' }, volumes: [{ mode: 'RW', container_path: 'a', host_path: 'b' }] } };
    expect(() => dockerRunArgv(relative, ctx)).toThrow("Both host_path 'b' and container_path 'a' of a volume are relative");
    expect(() => dockerRunArgv(base, { ...ctx, secretEnv: { DOCKER_HOST: 'x' } })).toThrow(/DOCKER_HOST/);
    expect(isDockerTask({ ...base, container: { type: 'MESOS', mesos: { image: { type: 'DOCKER', docker: { name: 'b' } } } } })).toBe(true);
    expect(isDockerTask({ ...base, container: { type: 'MESOS', volumes: [] } })).toBe(false);
  });
});

describe('buildTaskInfo with resolved secrets', () => {
  const allocs = [{ name: 'cpus', template: { name: 'cpus', type: 'SCALAR' as const }, scalar: 0.1 }];
  const secrets = { env: { DB_PASSWORD: 'pa55-word' }, files: { 'conf/db.pw': 'pa55-word' } };

  it('sends Mesos Secrets of type VALUE: SECRET env variables and SECRET volumes (a MESOS ContainerInfo for command tasks)', () => {
    const req = { ...launchRequest('j', 1, template({ command: { shell: 'true' } })), secrets };
    const info = buildTaskInfo(req, 'a', allocs, 'docker');
    expect(() => checkNamed('mesos.v1.TaskInfo', info)).not.toThrow();
    const v = info.command!.environment!.variables!.find((x) => x.name === 'DB_PASSWORD');
    expect(v).toEqual({ name: 'DB_PASSWORD', type: 'SECRET', secret: { type: 'VALUE', value: { data: Buffer.from('pa55-word').toString('base64') } } });
    expect(info.container).toEqual({ type: 'MESOS', volumes: [{ mode: 'RO', container_path: 'conf/db.pw', source: { type: 'SECRET', secret: v!.secret } }] });
    expect(JSON.stringify(info)).not.toContain('pa55-word');
  });

  it('adds SECRET volumes to a Docker ContainerInfo, and the network name for USER networks', () => {
    const container = { image: 'i', forcePull: false, network: 'USER' as const, networkName: 'etl', portMappings: [], volumes: [], parameters: [], privileged: false };
    const info = buildTaskInfo({ ...launchRequest('j', 1, template({ command: { shell: 'true' }, container })), secrets }, 'a', allocs, 'docker');
    expect(() => checkNamed('mesos.v1.TaskInfo', info)).not.toThrow();
    expect(info.container!.volumes![0].source!.type).toBe('SECRET');
    expect(info.container!.network_infos).toEqual([{ name: 'etl' }]);
  });
});
