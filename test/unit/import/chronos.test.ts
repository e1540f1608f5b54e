import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importJobs } from '../../../src/import/index.js';
import type { Draft } from '../../../src/import/model.js';

// Chronos job lists (the shape GET /v1/scheduler/jobs returns) mapped field by field; the
// fixture holds every odd shape the issue names. The manifests' validity is judged by the
// real loader in test/integration/import-cli.test.ts.

const fixture = readFileSync(new URL('../../fixtures/import/chronos-jobs.json', import.meta.url), 'utf8');
const drafts = importJobs('chronos', fixture, 'chronos-jobs.json');
const job = (name: string): Draft => drafts.find((d) => d.manifest.metadata.name === name)!;
const one = (job: Record<string, unknown>) => importJobs('chronos', JSON.stringify([{ name: 'j', command: 'true', schedule: 'R/2026-01-01T00:00:00Z/PT1H', ...job }]), 'x.json')[0];

describe('kairos import chronos', () => {
  it('names are normalised, collide deterministically and parents follow the rename', () => {
    expect(drafts.map((d) => [d.original, d.manifest.metadata.name])).toEqual([
      ['cleanup', 'cleanup'],
      ['ETL Extract', 'etl-extract'],
      ['etl-load', 'etl-load'],
      ['etl_load', 'etl_load'],
      ['Report', 'report'],
    ]);
    expect(job('etl_load').manifest.spec.after).toEqual(['etl-extract']);
    expect(job('etl-extract').manifest.metadata.annotations).toMatchObject({ 'chronos/name': 'ETL Extract' });
    const clash = [
      { name: 'Nightly Sync', command: 'a', schedule: 'R/2026-01-01T00:00:00Z/P1D' },
      { name: 'nightly-sync', command: 'b', schedule: 'R/2026-01-01T00:00:00Z/P1D' },
      { name: 'NIGHTLY SYNC', command: 'c', parents: ['Nightly Sync'] },
    ];
    const forward = importJobs('chronos', JSON.stringify(clash), 'x').map((d) => [d.original, d.manifest.metadata.name, d.manifest.spec.after]);
    const backward = importJobs('chronos', JSON.stringify([...clash].reverse()), 'x').map((d) => [d.original, d.manifest.metadata.name, d.manifest.spec.after]);
    expect(forward).toEqual(backward);
    expect(forward).toEqual([
      ['nightly-sync', 'nightly-sync', undefined],
      ['NIGHTLY SYNC', 'nightly-sync-2', ['nightly-sync-3']],
      ['Nightly Sync', 'nightly-sync-3', undefined],
    ]);
  });

  it('maps every field of a scheduled shell job', () => {
    const d = job('etl-extract');
    expect(d.manifest.metadata).toMatchObject({ owner: 'data@example.com', annotations: { description: "pull yesterday's orders", 'chronos/ownerName': 'Data team' } });
    expect(d.manifest.spec).toEqual({
      schedule: { iso8601: 'R/2026-03-01T02:00:00.000-08:00/P1D', timeZone: 'America/Los_Angeles' },
      command: { shell: 'extract --since yesterday' },
      resources: { cpus: 0.5, mem: 1024, disk: 256 },
      retries: { count: 4, initialDelaySeconds: 60, maxDelaySeconds: 60 },
      suspend: false,
      concurrencyPolicy: 'Allow',
      priority: 1,
      user: 'etl',
      timeoutSeconds: 3600,
      env: { STAGE: 'prod' },
      fetch: [
        { uri: 'https://artifacts.example.com/conf.json', executable: false, extract: false, cache: true },
        { uri: 'https://artifacts.example.com/etl.tgz' },
      ],
      constraints: [
        { attribute: 'rack', operator: 'EQUALS', value: 'r1' },
        { attribute: 'hostname', operator: 'LIKE', value: 'etl-.*' },
      ],
    });
    expect(d.warnings.join('\n')).toContain('"PST" is an abbreviation; imported as the IANA zone America/Los_Angeles');
    expect(d.lost.map((l) => l.split(' ')[0])).toEqual(['arguments', 'environmentVariables', 'epsilon', 'successCount', 'errorCount', 'lastSuccess']);
  });

  it('maps a dependent Docker job: parents, disabled, retries 0, container, shell false with arguments', () => {
    const d = job('etl_load');
    expect(d.manifest.spec).toMatchObject({
      after: ['etl-extract'],
      suspend: true,
      retries: { count: 0 },
      resources: { cpus: 1, mem: 512, disk: 256 },
      // Docker appends command and every argument after the image (Mesos docker.cpp).
      command: { argv: ['/usr/bin/load', 'load', '--table', 'orders'] },
      container: {
        image: 'registry.example.com/etl/load:3',
        forcePull: true,
        network: 'BRIDGE',
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
        volumes: [{ containerPath: '/data', hostPath: '/srv/data', mode: 'RO' }],
        parameters: [{ key: 'memory-swap', value: '1g' }],
      },
    });
    expect(d.manifest.spec.schedule).toBeUndefined();
    expect(d.lost).toEqual(['container.volumes[1] /ext (external volumes are not supported; only host paths)']);
  });

  it('shell false without a container: arguments are the whole argv, as the command executor execs them', () => {
    expect(job('etl-load').manifest.spec.command).toEqual({ argv: ['/bin/echo'] });
    expect(job('etl-load').warnings[0]).toContain('arguments[0] "hello" as the program\'s argv[0]');
    expect(job('report').manifest.spec.command).toEqual({ argv: ['/usr/bin/report'] });
    expect(one({ shell: false, command: '/bin/tool', arguments: ['/bin/tool', '-v'] }).manifest.spec.command).toEqual({ argv: ['/bin/tool', '-v'] });
    expect(one({ shell: false, command: '/bin/tool', arguments: ['/bin/tool', '-v'] }).warnings).toEqual([]);
  });

  it('keeps schedules exactly: empty start, R0, R1, offsets, wall times; empty zone is UTC', () => {
    expect(job('etl-load').manifest.spec.schedule).toEqual({ iso8601: 'R1//PT24H', timeZone: 'UTC' });
    expect(job('report').manifest.spec.schedule).toEqual({ iso8601: 'R0/2026-01-01T00:00:00Z/PT1H', timeZone: 'UTC' });
    expect(job('report').warnings.join()).toContain('R0 never runs');
    expect(job('cleanup').manifest.spec.schedule).toEqual({ iso8601: 'R/2026-01-01T03:00:00/PT6H', timeZone: 'Europe/Berlin' });
    expect(one({ scheduleTimeZone: 'Mars/Olympus' }).manifest.spec.schedule).toEqual({ iso8601: 'R/2026-01-01T00:00:00Z/PT1H', timeZone: 'UTC' });
    expect(one({ scheduleTimeZone: 'Mars/Olympus' }).warnings.join()).toContain('Chronos ran the job in GMT');
  });

  it('applies Chronos defaults: retries 2, resources 0.1/128/256, shell true, Forbid', () => {
    expect(one({}).manifest.spec).toMatchObject({ retries: { count: 2 }, resources: { cpus: 0.1, mem: 128, disk: 256 }, command: { shell: 'true' }, concurrencyPolicy: 'Forbid', suspend: false, priority: 0 });
  });

  it('parents win over a schedule, as in Chronos (the schedule is reported)', () => {
    const [child] = importJobs('chronos', JSON.stringify([{ name: 'child', command: 'c', parents: ['p'], schedule: 'R/2026-01-01T00:00:00Z/P1D' }, { name: 'p', command: 'p', schedule: 'R/2026-01-01T00:00:00Z/P1D' }]), 'x');
    expect([child.manifest.spec.after, child.manifest.spec.schedule]).toEqual([['p'], undefined]);
    expect(child.lost).toEqual(['schedule "R/2026-01-01T00:00:00Z/P1D" (Chronos ignores the schedule of a job with parents)']);
  });

  it('a URL command is fetched and run by its file name, as Chronos did', () => {
    const d = one({ command: 'https://example.com/bin/job.sh' });
    expect(d.manifest.spec.command).toEqual({ shell: '"./job.sh"' });
    expect(d.manifest.spec.fetch).toEqual([{ uri: 'https://example.com/bin/job.sh', executable: true }]);
  });

  it('warns about a secret-looking variable left in plain env', () => {
    const d = one({ environmentVariables: [{ name: 'DB_PASSWORD', value: 'hunter2' }] });
    expect(d.warnings).toEqual(['env DB_PASSWORD looks like a secret and is now in the manifest in plain text: move it to spec.secrets']);
  });

  it('reports custom executors and unknown fields as not imported', () => {
    const d = one({ executor: '/opt/exec', executorFlags: '-v', favouriteColour: 'blue' });
    expect(d.lost.join('\n')).toMatch(/executor "\/opt\/exec"/);
    expect(d.lost.join('\n')).toMatch(/executorFlags "-v"/);
    expect(d.lost.join('\n')).toMatch(/favouriteColour "blue" \(no Kairos equivalent\)/);
  });

  it('bad input is an error naming the job and field', () => {
    const bad = (text: string) => () => importJobs('chronos', text, 'in.json');
    expect(bad('{oops')).toThrow(/in.json: not JSON .*GET \/v1\/scheduler\/jobs/);
    expect(bad('{"jobs": []}')).toThrow('in.json: not a job list: expected a JSON array as GET /v1/scheduler/jobs returns, got an object');
    expect(bad('[{"name": "x", "schedule": "R/2026-01-01T00:00:00Z/PT1H"}]')).toThrow('chronos job "x": command: missing');
    expect(bad('[{"name": "x", "command": "a", "schedule": "R/2026-01-01T00:00:00Z/PT1H", "cpus": "lots"}]')).toThrow('chronos job "x": cpus: expected a number, got string "lots"');
    expect(bad('[{"name": "x", "command": "a", "parents": ["ghost"]}]')).toThrow('chronos job "x": parents: "ghost" is not a job in this list');
    expect(bad('[{"name": "x", "command": "a", "schedule": "every day"}]')).toThrow('chronos job "x": schedule: expected R[n]/[start]/period');
    expect(bad('[{"name": "x", "command": "a", "schedule": "R/2026-01-01T00:00:00Z/PT1H", "container": {"image": "i", "volumes": [{"hostPath": "/a"}]}}]')).toThrow('chronos job "x": container.volumes[0].containerPath: missing');
    expect(bad('[{"command": "a"}]')).toThrow('chronos job "#0": name: missing');
  });
});
