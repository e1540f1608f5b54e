import { describe, expect, it } from 'vitest';
import { agentOrigin, AgentSandboxes, isAgentSandbox } from '../../../src/mesos/sandbox.js';
import type { Offer } from '../../../src/mesos/types.js';

const offer = (agent: string, url?: Offer['url']): Offer => ({ id: { value: `o-${agent}` }, framework_id: { value: 'fw' }, agent_id: { value: agent }, hostname: `${agent}.example`, ...(url ? { url } : {}) });

describe('agent sandboxes', () => {
  it('address agents by Offer.url, the IP before the hostname', () => {
    expect(agentOrigin({ scheme: 'http', address: { hostname: 'a1.example', ip: '10.0.0.5', port: 5051 }, path: '/slave(1)' })).toBe('http://10.0.0.5:5051');
    expect(agentOrigin({ scheme: 'http', address: { hostname: 'a1.example', port: 5051 } })).toBe('http://a1.example:5051');
    expect(agentOrigin({ scheme: 'http', address: { ip: '::1', port: 5051 } })).toBe('http://[::1]:5051');
    expect(agentOrigin({ scheme: 'http', address: { port: 5051 } })).toBeUndefined();
  });

  it('locate a task under its executor once its agent offered and it reported from there', () => {
    const s = new AgentSandboxes();
    s.status({ task_id: { value: 'kairos.j@1.1' }, state: 'TASK_RUNNING', agent_id: { value: 'A' } });
    expect(s.locate('fw-1', 'kairos.j@1.1')).toBeUndefined(); // no offer from A yet
    s.offers([offer('A', { scheme: 'http', address: { ip: '10.0.0.5', port: 5051 } }), offer('B')]);
    expect(s.locate('fw-1', 'kairos.j@1.1')).toBe('http://10.0.0.5:5051/frameworks/fw-1/executors/kairos.j%401.1/runs/latest');
    s.status({ task_id: { value: 't2' }, state: 'TASK_RUNNING', agent_id: { value: 'A' }, executor_id: { value: 'custom-exec' } });
    expect(s.locate('fw-1', 't2')).toBe('http://10.0.0.5:5051/frameworks/fw-1/executors/custom-exec/runs/latest');
    s.status({ task_id: { value: 't3' }, state: 'TASK_RUNNING', agent_id: { value: 'B' } });
    expect(s.locate('fw-1', 't3')).toBeUndefined(); // B's offer had no url
    s.forget('t2');
    expect(s.locate('fw-1', 't2')).toBeUndefined();
    expect(isAgentSandbox('http://10.0.0.5:5051/frameworks/x')).toBe(true);
    expect(isAgentSandbox('/tmp/kairos-sandbox/x')).toBe(false);
  });
});
