import { it } from 'vitest';
import { startMesos } from './support/mesos.js';
import { startEmbeddedMaster } from '../src/mesos/embedded/index.js';
import { call, frameworkInfo, rawPost, Subscription } from './integration/embedded-master-client.js';
import { conformanceScenarios } from './integration/mesos-conformance.scenarios.js';
it('dbg', async () => {
  const RES = 'cpus:2;mem:4096;disk:10000;ports:[31000-32000]';
  const m = await startMesos({ agentResources: RES });
  for (const s of conformanceScenarios.filter((x) => !x.name.startsWith('malformed'))) {
    for (const [label, url] of [['REAL', m.url]]) {
      const out: string[] = []; const subs: Subscription[] = [];
      try {
        await s.run({ url, say: (...x) => out.push(JSON.stringify(x)), open: async (info = frameworkInfo()) => { const x = await Subscription.open(url, info); subs.push(x); return x; }, call, rawPost });
      } catch (e) { out.push('ERR ' + (e as Error).message); }
      for (const x of subs) x.close();
      console.log('==', label, s.name, '\n' + out.join('\n'));
    }
  }
  await m.stop();
}, 200000);
