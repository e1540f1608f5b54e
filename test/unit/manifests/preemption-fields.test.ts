import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/core/errors.js';
import { loadManifests } from '../../../src/manifests/load.js';
import { dagYaml, jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

const cmd = 'command: { shell: "true" }';

describe('spec.preemptible and spec.preemption', () => {
  it('are left out of the compiled spec at their defaults, so jobs applied before them plan no change', () => {
    const { desired } = loadManifests(snapshotOf({ 'a.yaml': jobYaml('a') }));
    expect(desired?.resources[0].spec).not.toHaveProperty('preemptible');
    expect(desired?.resources[0].spec).not.toHaveProperty('preemption');
  });

  it('compile on Jobs and on inline DAG task templates', () => {
    const { desired, problems } = loadManifests(
      snapshotOf({
        'a.yaml': jobYaml('a', `${cmd}\npriority: 5\npreemptible: true\npreemption: { afterSeconds: 45 }`),
        'd.yaml': dagYaml('d', `tasks:\n  - name: t\n    template: { command: { shell: "true" }, preemptible: true, preemption: { afterSeconds: 0 } }`),
      }),
    );
    expect(problems).toEqual([]);
    const [a, d] = desired!.resources;
    expect(a.spec).toMatchObject({ priority: 5, preemptible: true, preemption: { afterSeconds: 45 } });
    expect(d.kind === 'DAG' && d.spec.tasks[0].template).toMatchObject({ preemptible: true, preemption: { afterSeconds: 0 } });
  });

  it('refuses wrong values naming file:line:column and the field', () => {
    const { problems } = loadManifests(
      snapshotOf({
        'a.yaml': jobYaml('a', `${cmd}\npreemptible: "yes"`),
        'b.yaml': jobYaml('b', `${cmd}\npreemption: { afterSeconds: -1 }`),
        'c.yaml': jobYaml('c', `${cmd}\npreemption: { after: 30 }`),
      }),
    );
    const text = problems.map(formatProblem);
    expect(text.find((p) => p.startsWith('a.yaml:'))).toMatch(/^a\.yaml:7:\d+: spec\.preemptible: expected boolean/);
    expect(text.find((p) => p.startsWith('b.yaml:'))).toMatch(/^b\.yaml:7:\d+: spec\.preemption\.afterSeconds: .*>= 0/);
    expect(text.filter((p) => p.startsWith('c.yaml:')).join('\n')).toMatch(/^c\.yaml:7:\d+: spec\.preemption/m);
  });
});
