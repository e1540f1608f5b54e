/**
 * Differential conformance of the embedded master: each scenario sends the same calls to
 * a real Apache Mesos 1.12 master (one agent) and to the embedded master (one local agent
 * with the same resources) and must write the same transcript: status codes, event
 * sequences, task states with source, reason and uuid presence, and the operator
 * endpoints' shapes. Where the embedded master cannot match, README "Embedded master"
 * says so and the scenario leaves that detail out with a comment saying why.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEmbeddedMaster, type EmbeddedMaster } from '../../src/mesos/embedded/index.js';
import { MESOS_TEST_TIMEOUTS, type MesosCluster, startMesos } from '../support/mesos.js';
import { call, frameworkInfo, rawPost, Subscription } from './embedded-master-client.js';
import { conformanceScenarios, type Scenario } from './mesos-conformance.scenarios.js';

vi.setConfig(MESOS_TEST_TIMEOUTS);

const RESOURCES = 'cpus:2;mem:4096;disk:10000;ports:[31000-32000]';
let real: MesosCluster;
let embedded: EmbeddedMaster;

beforeAll(async () => {
  [real, embedded] = await Promise.all([startMesos({ agentResources: RESOURCES }), startEmbeddedMaster({ allocationIntervalMs: 100, localAgents: 1, localResources: RESOURCES })]);
});
afterAll(async () => {
  await real?.stop();
  await embedded?.stop();
});

describe('embedded master vs real Mesos master: same calls, same answers', () => {
  const run = async (s: Scenario, url: string) => {
    const transcript: unknown[] = [];
    const subs: Subscription[] = [];
    const ctx = {
      url,
      say: (...x: unknown[]) => void transcript.push(x.length === 1 ? x[0] : x),
      open: async (info = frameworkInfo()) => {
        const sub = await Subscription.open(url, info);
        subs.push(sub);
        return sub;
      },
      call,
      rawPost,
    };
    // Closing every stream after a scenario rescinds the offers it still holds (a real master
    // offers its one agent to one framework at a time), so one failure does not starve the next.
    await s.run(ctx).finally(() => subs.forEach((x) => x.close()));
    return transcript;
  };
  for (const s of conformanceScenarios) {
    it(s.name, async () => {
      const [fromReal, fromEmbedded] = await Promise.all([run(s, real.url), run(s, embedded.url)]);
      expect(fromEmbedded).toEqual(fromReal);
    });
  }
});
