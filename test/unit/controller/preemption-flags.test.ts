import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../src/cli/embedded-master.js';
import { compileServeConfig } from '../../../src/config.js';
import { parseAgentResources } from '../../../src/mesos/embedded/resource-spec.js';

describe('--agent-resources', () => {
  it('sizes the embedded local agents; disk and ports keep their defaults unless given', () => {
    expect(parseAgentResources('--agent-resources', 'cpus:2;mem:2048')).toBe('cpus:2;mem:2048;disk:10240;ports:[31000-32000]');
    expect(parseAgentResources('--agent-resources', ' cpus:0.5 ; mem:512; disk:100; ports:[8000-8010,9000-9000]; gpus:1 ')).toBe('cpus:0.5;mem:512;disk:100;ports:[8000-8010,9000-9000];gpus:1');
    expect(compileServeConfig({ agentResources: 'cpus:2;mem:2048' }, {}, '/repo').mesos).toEqual({ kind: 'embedded', agents: 2, agentResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-32000]' });
    expect(compileServeConfig({}, { KAIROS_AGENT_RESOURCES: 'cpus:1' }, '/repo').mesos).toMatchObject({ agentResources: 'cpus:1;disk:10240;ports:[31000-32000]' });
    expect(parseFlags({ listen: '127.0.0.1:0', agents: '1', simulated: '0', agentResources: 'cpus:2;mem:2048' })).toMatchObject({ localResources: 'cpus:2;mem:2048;disk:10240;ports:[31000-32000]' });
  });

  it('refuses malformed text naming the flag and the part, and a remote master', () => {
    expect(() => parseAgentResources('--agent-resources', 'cpus=2')).toThrow('--agent-resources: expected name:number, name:[begin-end] or name:{a,b} in each part (bad part "cpus=2"), got "cpus=2"');
    expect(() => parseAgentResources('--agent-resources', 'cpus:two')).toThrow(/bad part "cpus:two"/);
    expect(() => parseAgentResources('--agent-resources', 'cpus:1;cpus:2')).toThrow(/each resource once \(cpus repeats\)/);
    expect(() => parseAgentResources('--agent-resources', 'ports:[9-3]')).toThrow(/begin ≤ end/);
    expect(() => parseAgentResources('--agent-resources', ' ; ')).toThrow(/at least one resource/);
    expect(() => compileServeConfig({ agentResources: 'cpus:2', mesos: 'http://m:5050' }, {}, '/repo')).toThrow(/--agent-resources: expected --mesos embedded/);
    expect(() => parseFlags({ listen: '127.0.0.1:0', agents: '1', simulated: '0', agentResources: 'mem' })).toThrow(/--agent-resources/);
  });
});

describe('--preemption-after', () => {
  it('defaults to 5 minutes, takes a duration from flag or KAIROS_PREEMPTION_AFTER, and "off" turns the default off', () => {
    expect(compileServeConfig({}, {}, '/repo').preemptAfterSeconds).toBe(300);
    expect(compileServeConfig({ preemptionAfter: '90s' }, {}, '/repo').preemptAfterSeconds).toBe(90);
    expect(compileServeConfig({}, { KAIROS_PREEMPTION_AFTER: '2m' }, '/repo').preemptAfterSeconds).toBe(120);
    expect(compileServeConfig({ preemptionAfter: 'off' }, {}, '/repo')).not.toHaveProperty('preemptAfterSeconds');
    expect(() => compileServeConfig({ preemptionAfter: 'soon' }, {}, '/repo')).toThrow(/--preemption-after: expected a duration/);
  });
});
