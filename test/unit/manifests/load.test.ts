import { describe, expect, it } from 'vitest';
import { ManifestError, formatProblem } from '../../../src/core/errors.js';
import type { JobSpec } from '../../../src/core/types.js';
import { loadDesired, loadManifests } from '../../../src/manifests/load.js';
import { dagYaml, jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

/** The formatted problems of loading these files. */
function problems(files: Record<string, string | Buffer>): string[] {
  return loadManifests(snapshotOf(files)).problems.map(formatProblem);
}

describe('loading valid manifests', () => {
  it('fills in every default explicitly', () => {
    const d = loadDesired(snapshotOf({ 'a.yaml': jobYaml('minimal') }));
    expect(d.resources).toHaveLength(1);
    const r = d.resources[0];
    expect(r.kind).toBe('Job');
    expect(r.metadata).toEqual({ name: 'minimal', labels: {}, annotations: {} });
    expect(r.source).toEqual({ file: 'a.yaml', line: 1 });
    const expected: JobSpec = {
      command: { shell: 'true' },
      resources: { cpus: 0.1, mem: 128, disk: 0, gpus: 0, ports: 0 },
      env: {},
      secrets: [],
      fetch: [],
      constraints: [],
      retries: { count: 2, initialDelaySeconds: 10, maxDelaySeconds: 360 },
      killGracePeriodSeconds: 5,
      priority: 0,
      after: [],
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 900,
      catchUp: 'none',
      suspend: false,
      history: { succeeded: 3, failed: 1 },
      onPrune: 'finish',
    };
    expect(r.spec).toEqual(expected);
  });

  it('compiles schedules, containers, nested defaults and DAG templates', () => {
    const d = loadDesired(
      snapshotOf({
        'jobs.yaml':
          jobYaml('cron-job', 'schedule: { cron: "0 2 * * *", timeZone: Asia/Shanghai }\ncontainer: { image: busybox, portMappings: [{ containerPort: 80 }] }') +
          '---\n' +
          jobYaml('iso-job', 'schedule: { iso8601: "R/2026-01-01T00:00:00Z/PT1H" }\ncommand: { argv: [echo, hi] }\nfetch: [{ uri: "https://x/y.tgz" }]'),
        'dag.yaml': dagYaml('d', 'tasks:\n  - { name: a, template: { command: { shell: x } } }\n  - { name: b, job: cron-job, dependsOn: [a], trigger: all_done }'),
      }, 'abc123'),
    );
    expect(d.revision).toBe('abc123');
    const byName = new Map(d.resources.map((r) => [r.metadata.name, r]));
    const cron = byName.get('cron-job')!;
    expect(cron.spec.schedule).toEqual({ kind: 'cron', expression: '0 2 * * *', timeZone: 'Asia/Shanghai' });
    expect(cron.source).toEqual({ file: 'jobs.yaml', line: 1, commit: 'abc123' });
    expect((cron.spec as JobSpec).container).toEqual({
      image: 'busybox',
      forcePull: false,
      network: 'HOST',
      portMappings: [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }],
      volumes: [],
      parameters: [],
      privileged: false,
    });
    const iso = byName.get('iso-job')!;
    expect(iso.source.line).toBe(9);
    expect(iso.spec.schedule).toEqual({ kind: 'iso8601', expression: 'R/2026-01-01T00:00:00Z/PT1H', timeZone: 'UTC' });
    expect((iso.spec as JobSpec).command).toEqual({ argv: ['echo', 'hi'] });
    expect((iso.spec as JobSpec).fetch).toEqual([{ uri: 'https://x/y.tgz', executable: false, extract: true, cache: false }]);
    const dag = byName.get('d')!;
    if (dag.kind !== 'DAG') throw new Error('expected a DAG');
    expect(dag.spec.schedule).toBeUndefined();
    expect(dag.spec.tasks.map((t) => [t.name, t.dependsOn, t.trigger, t.job])).toEqual([
      ['a', [], 'all_succeeded', undefined],
      ['b', ['a'], 'all_done', 'cron-job'],
    ]);
    expect(dag.spec.tasks[0].template?.resources).toEqual({ cpus: 0.1, mem: 128, disk: 0, gpus: 0, ports: 0 });
  });

  it('accepts an empty file, a comment-only file and empty documents', () => {
    const r = loadManifests(snapshotOf({ 'empty.yaml': '', 'comments.yaml': '# nothing here\n', 'docs.yaml': '---\n---\n' + jobYaml('x') }));
    expect(r.problems).toEqual([]);
    expect(r.desired?.resources.map((x) => x.metadata.name)).toEqual(['x']);
  });

  it('allows YAML merge keys within a document, not aliases across documents', () => {
    const ok = loadManifests(snapshotOf({ 'a.yaml': jobYaml('m', 'command: { shell: x }\nretries: &r { count: 1 }\nresources: { <<: { cpus: 2 } }') }));
    expect(ok.problems).toEqual([]);
    expect((ok.desired!.resources[0].spec as JobSpec).resources.cpus).toBe(2);
    const text = jobYaml('m', 'command: &c { shell: "true" }') + '---\n' + jobYaml('n', 'command: { <<: *c }');
    expect(problems({ 'a.yaml': text })).toEqual(['a.yaml:13:18: YAML syntax: unidentified alias "c"']);
  });
});

describe('problems in manifests', () => {
  it('reports malformed YAML with its position', () => {
    expect(problems({ 'bad.yaml': 'apiVersion: kairos/v1\nkind: [Job\n' })).toEqual([expect.stringMatching(/^bad\.yaml:3:1: YAML syntax: /)]);
  });

  it('reports a document that is not a mapping', () => {
    expect(problems({ 'a.yaml': '- just\n- a list\n' })).toEqual(['a.yaml:1:1: expected a mapping with apiVersion, kind, metadata and spec']);
  });

  it('reports an unknown kind with a suggestion, and an unknown apiVersion', () => {
    const text = jobYaml('a').replace('kind: Job', 'kind: Jbo') + '---\n' + jobYaml('b').replace('kairos/v1', 'kairos/v2');
    expect(problems({ 'k.yaml': text })).toEqual([
      'k.yaml:2:7: kind: unknown kind "Jbo": expected one of Job, DAG (did you mean "Job"?)',
      'k.yaml:8:13: apiVersion: unknown apiVersion "kairos/v2": expected "kairos/v1"',
    ]);
  });

  it('says "did you mean schedule" for shedule, at the key', () => {
    expect(problems({ 's.yaml': jobYaml('a', 'shedule: { cron: "* * * * *" }\ncommand: { shell: x }') })).toEqual([
      's.yaml:6:3: spec.shedule: unknown field "shedule" (did you mean "schedule"?)',
    ]);
  });

  it('lists the allowed fields when nothing is close', () => {
    const [p] = problems({ 's.yaml': jobYaml('a', 'zzzzzz: 1\ncommand: { shell: x }') });
    expect(p).toMatch(/^s\.yaml:6:3: spec\.zzzzzz: unknown field "zzzzzz" \(expected one of: schedule, after, command, /);
  });

  it('reports missing fields at their parent, wrong types and enum values', () => {
    expect(
      problems({
        'a.yaml': 'apiVersion: kairos/v1\nkind: Job\nmetadata: { owner: me }\nspec:\n  command: { shell: x }\n  suspend: "yes"\n  concurrencyPolicy: forbid\n',
      }),
    ).toEqual([
      'a.yaml:3:11: metadata.name: missing required field "name"',
      'a.yaml:6:12: spec.suspend: expected boolean, got "yes"',
      'a.yaml:7:22: spec.concurrencyPolicy: expected one of Allow, Forbid, Replace, got "forbid" (did you mean "Forbid"?)',
    ]);
  });

  it('reports bad keys, conditional requirements and ranges inside lists', () => {
    const spec = 'command: { shell: x }\nenv: { "bad-name": "1" }\nconstraints: [{ attribute: rack, operator: EQUALS }]\ncontainer: { image: x, portMappings: [{ containerPort: 70000 }] }';
    expect(problems({ 'a.yaml': jobYaml('a', spec) })).toEqual([
      'a.yaml:7:10: spec.env.bad-name: invalid name "bad-name": expected a name matching ^[A-Za-z_][A-Za-z0-9_]*$',
      'a.yaml:8:17: spec.constraints[0].value: missing required field "value"',
      'a.yaml:9:58: spec.container.portMappings[0].containerPort: must be <= 65535, got 70000',
    ]);
  });

  it('rejects negative cpus and zero mem', () => {
    expect(problems({ 'r.yaml': jobYaml('a', 'command: { shell: x }\nresources:\n  cpus: -1\n  mem: 0') })).toEqual([
      'r.yaml:8:11: spec.resources.cpus: must be > 0, got -1',
      'r.yaml:9:10: spec.resources.mem: must be > 0, got 0',
    ]);
  });

  it('requires exactly one of shell/argv, cron/iso8601, job/template, and a command or container', () => {
    const text =
      jobYaml('a', 'command: { shell: x, argv: [y] }\nschedule: { timeZone: UTC }') +
      '---\n' +
      jobYaml('b', 'env: {}') +
      '---\n' +
      dagYaml('d', 'tasks:\n  - { name: t }');
    expect(problems({ 'x.yaml': text })).toEqual([
      'x.yaml:6:12: spec.command: expected exactly one of shell or argv',
      'x.yaml:7:13: spec.schedule: expected exactly one of cron or iso8601',
      'x.yaml:14:3: spec: expected a command or a container (or both)',
      'x.yaml:22:7: spec.tasks[0]: expected exactly one of job or template',
    ]);
  });

  it('reports names that are not valid', () => {
    const [p] = problems({ 'n.yaml': jobYaml('bad name!') });
    expect(p).toMatch(/^n\.yaml:4:9: metadata\.name: "bad name!" does not match /);
  });

  it('reports duplicate names across files, naming the first', () => {
    expect(problems({ 'a.yaml': jobYaml('same'), 'b/c.yaml': jobYaml('same') })).toEqual([
      'b/c.yaml:4:9: metadata.name: duplicate name "same": already defined at a.yaml:4:9',
    ]);
  });

  it('names a cycle of parents', () => {
    const text = jobYaml('a', 'after: [b]\ncommand: { shell: x }') + '---\n' + jobYaml('b', 'after: [c]\ncommand: { shell: x }') + '---\n' + jobYaml('c', 'after: [a]\ncommand: { shell: x }');
    expect(problems({ 'c.yaml': text })).toEqual(['c.yaml:6:11: spec.after[0]: dependency cycle: a → b → c → a (each job runs after the next)']);
  });

  it('names a job that is its own parent', () => {
    expect(problems({ 's.yaml': jobYaml('selfish', 'after: [selfish]\ncommand: { shell: x }') })).toEqual([
      's.yaml:6:11: spec.after[0]: dependency cycle: selfish → selfish (each job runs after the next)',
    ]);
  });

  it('reports a missing parent with a suggestion, a DAG as parent, and schedule with after', () => {
    const text =
      jobYaml('child', 'after: [parnet, flow]\ncommand: { shell: x }') +
      '---\n' +
      jobYaml('parent', 'schedule: { cron: "0 * * * *" }\nafter: [child]\ncommand: { shell: x }') +
      '---\n' +
      dagYaml('flow', 'tasks: [{ name: t, template: { command: { shell: x } } }]');
    expect(problems({ 'p.yaml': text })).toEqual([
      'p.yaml:6:11: spec.after[0]: parent job "parnet" does not exist (did you mean "parent"?)',
      'p.yaml:6:19: spec.after[1]: parent job "flow" is a DAG; only Jobs can be referenced here',
      'p.yaml:15:10: spec.after: a job runs on a schedule or after its parents, not both: remove schedule or after',
    ]);
  });

  it('checks DAG tasks: duplicates, missing dependencies, unknown jobs, cycles', () => {
    const text = dagYaml(
      'd',
      [
        'tasks:',
        '  - { name: a, template: { command: { shell: x } }, dependsOn: [c] }',
        '  - { name: b, job: nojob, dependsOn: [a, zz] }',
        '  - { name: c, template: { command: { shell: x } }, dependsOn: [b] }',
        '  - { name: a, template: { command: { shell: x } } }',
      ].join('\n'),
    );
    expect(problems({ 'd.yaml': text })).toEqual([
      'd.yaml:7:67: spec.tasks[0].dependsOn[0]: dependency cycle between tasks: a → c → b → a (each depends on the next)',
      'd.yaml:8:23: spec.tasks[1].job: job "nojob" does not exist',
      'd.yaml:8:45: spec.tasks[1].dependsOn[1]: task "zz" does not exist in this DAG',
      'd.yaml:10:15: spec.tasks[3].name: duplicate task name "a" (also task 0)',
    ]);
  });

  it('reports a bad ISO 8601 interval, a bad cron expression and an unknown time zone', () => {
    const text =
      jobYaml('iso', 'schedule: { iso8601: "R/2026-01-01T00:00:00Z/PT1X" }\ncommand: { shell: x }') +
      '---\n' +
      jobYaml('cron', 'schedule: { cron: "0 25 * * *" }\ncommand: { shell: x }') +
      '---\n' +
      jobYaml('tz', 'schedule: { cron: "0 2 * * *", timeZone: Mars/Olympus_Mons }\ncommand: { shell: x }');
    const got = problems({ 's.yaml': text });
    expect(got).toHaveLength(3);
    expect(got[0]).toMatch(/^s\.yaml:6:24: spec\.schedule\.iso8601: .*PT1X.* \(expected an ISO 8601 repeating interval R\[n\]\/start\/period\)$/);
    expect(got[1]).toMatch(/^s\.yaml:14:21: spec\.schedule\.cron: .*25.* \(expected a cron expression/);
    expect(got[2]).toBe('s.yaml:22:44: spec.schedule.timeZone: unknown time zone "Mars/Olympus_Mons": expected an IANA name such as UTC, Europe/London or Asia/Shanghai');
  });

  it('refuses a YAML alias bomb without expanding it', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill('*' + prev).join(',')}]`);
    }
    const got = problems({ 'bomb.yaml': levels.join('\n') + '\n' });
    expect(got).toEqual(['bomb.yaml:1:1: YAML refused: more than 100 alias expansions (a YAML "billion laughs" attack?)']);
  });

  it('reports invalid UTF-8 at the line of the first bad byte', () => {
    const bytes = Buffer.concat([Buffer.from(jobYaml('a') + '# caf'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    expect(problems({ 'u.yaml': bytes })).toEqual(['u.yaml:7:1: file is not valid UTF-8 (first invalid byte at offset 92)']);
  });

  it('reports every problem of a run, sorted by file and position, and loadDesired throws them all', () => {
    const files = {
      'b.yaml': jobYaml('b', 'command: { shell: x }\nresources: { cpus: -2 }'),
      'a.yaml': 'kind: [\n',
      'c.yaml': jobYaml('c', 'after: [nobody]\ncommand: { shell: x }'),
    };
    const got = problems(files);
    expect(got.map((p) => p.split(':')[0])).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    try {
      loadDesired(snapshotOf(files));
      throw new Error('expected ManifestError');
    } catch (err) {
      expect(err).toBeInstanceOf(ManifestError);
      expect((err as ManifestError).code).toBe('E_MANIFEST');
      expect((err as ManifestError).problems.map(formatProblem)).toEqual(got);
    }
  });

  it('includes the problems the source refused (symlinks, size)', () => {
    const snap = snapshotOf({ 'a.yaml': jobYaml('a') });
    snap.problems.push({ file: 'big.yaml', line: 1, column: 1, path: '', message: 'too big' });
    expect(loadManifests(snap).problems.map(formatProblem)).toEqual(['big.yaml:1:1: too big']);
  });
});
