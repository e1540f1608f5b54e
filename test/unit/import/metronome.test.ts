import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importJobs } from '../../../src/import/index.js';
import type { Draft } from '../../../src/import/model.js';

// Metronome job lists (GET /v1/jobs?embed=schedules, dcos/metronome jobspec.schema.json)
// mapped field by field.

const fixture = readFileSync(new URL('../../fixtures/import/metronome-jobs.json', import.meta.url), 'utf8');
const drafts = importJobs('metronome', fixture, 'metronome-jobs.json');
const job = (name: string): Draft => drafts.find((d) => d.manifest.metadata.name === name)!;
const run = { cmd: 'true', cpus: 0.1, mem: 32, disk: 0 };
const one = (job: Record<string, unknown>) => importJobs('metronome', JSON.stringify([{ id: 'j', ...job, run: { ...run, ...(job.run as object) } }]), 'x.json')[0];

describe('kairos import metronome', () => {
  it('names: ids are normalised, collisions get a deterministic suffix, dependencies follow', () => {
    expect(drafts.map((d) => [d.original, d.manifest.metadata.name])).toEqual([
      ['billing-notify', 'billing-notify'],
      ['on-demand', 'on-demand'],
      ['prod.billing.invoice', 'prod.billing.invoice'],
      ['Prod.Billing.Invoice', 'prod.billing.invoice-2'],
    ]);
    expect(job('billing-notify').manifest.spec.after).toEqual(['prod.billing.invoice-2']);
  });

  it('maps a scheduled Docker job with env, secrets, artifacts, placement, volumes and its first schedule', () => {
    const d = job('prod.billing.invoice');
    expect(d.manifest.metadata).toEqual({ name: 'prod.billing.invoice', labels: { team: 'billing' }, annotations: { description: 'monthly invoices' } });
    expect(d.manifest.spec).toEqual({
      command: { shell: 'invoice --month last' },
      resources: { cpus: 1.5, mem: 2048, disk: 100, gpus: 0 },
      container: {
        image: 'registry.example.com/billing/invoice:7',
        forcePull: true,
        privileged: false,
        parameters: [{ key: 'label', value: 'a=b' }],
        volumes: [{ containerPath: '/out', hostPath: '/srv/invoices', mode: 'RW' }],
      },
      env: { CURRENCY: 'EUR' },
      secrets: [{ env: 'DB_PASSWORD', secret: 'billing/db-password' }],
      fetch: [{ uri: 'https://artifacts.example.com/rates.csv', executable: false, extract: false, cache: false }],
      constraints: [
        { attribute: 'zone', operator: 'EQUALS', value: 'eu-1' },
        { attribute: 'hostname', operator: 'UNLIKE', value: 'old-.*' },
      ],
      user: 'billing',
      killGracePeriodSeconds: 30,
      retries: { count: 0 },
      schedule: { cron: '0 3 1 * *', timeZone: 'Europe/Paris' },
      startingDeadlineSeconds: 600,
      concurrencyPolicy: 'Allow',
      suspend: true,
    });
    expect(d.lost).toEqual([]);
  });

  it('args become argv; ON_FAILURE retries with a warning; ucr images; no schedule = on demand', () => {
    expect(job('prod.billing.invoice-2').manifest.spec).toMatchObject({ command: { argv: ['/usr/bin/reconcile', '--all'] }, retries: { count: 100 } });
    expect(job('prod.billing.invoice-2').manifest.spec.schedule).toBeUndefined();
    expect(job('prod.billing.invoice-2').warnings.join()).toContain('relaunched for up to 600 s');
    expect(job('billing-notify').manifest.spec.container).toEqual({ image: 'busybox:1.36', forcePull: false });
    // A file-based secret (a volume with `secret`): a secret file in the sandbox, by reference.
    expect(job('billing-notify').manifest.spec.secrets).toEqual([{ file: 'etc/notify/key', secret: 'billing/notify-key' }]);
    expect(job('billing-notify').warnings).toEqual([
      'ucr image: Kairos runs it with the containerizer the controller is configured with (Docker by default)',
      'secret file /etc/notify/key is now $MESOS_SANDBOX/etc/notify/key (Kairos places secret files in the sandbox)',
      'secret "/billing/notify-key" is referenced as "billing/notify-key" (Kairos secret names are relative paths)',
    ]);
    expect(job('on-demand').manifest.spec).toMatchObject({ resources: { cpus: 0.01, mem: 32, disk: 0 }, retries: { count: 0 } });
    expect(job('on-demand').lost).toEqual(['run.maxLaunchDelay 60 (a run not started in time is judged by startingDeadlineSeconds)']);
  });

  it('schedule defaults (UTC, 900 s, ALLOW, enabled), FORBID, extra schedules reported', () => {
    const d = one({ schedules: [{ id: 'a', cron: '*/5 * * * *' }, { id: 'b', cron: '0 0 * * *', concurrencyPolicy: 'FORBID' }] });
    expect(d.manifest.spec).toMatchObject({ schedule: { cron: '*/5 * * * *', timeZone: 'UTC' }, startingDeadlineSeconds: 900, concurrencyPolicy: 'Allow', suspend: false });
    expect(d.lost.join()).toContain('schedules[1..1]');
    expect(one({ schedules: [{ id: 'a', cron: '0 0 * * *', concurrencyPolicy: 'FORBID' }] }).manifest.spec.concurrencyPolicy).toBe('Forbid');
  });

  it('networks map to the container network; file secrets and unknown fields are reported', () => {
    const d = one({ run: { docker: { image: 'x' }, networks: [{ mode: 'container', name: 'dcos' }], secrets: { f: { source: 'p' } }, shmSize: 64 } });
    expect(d.manifest.spec.container).toMatchObject({ network: 'USER', networkName: 'dcos' });
    expect(d.lost.join('\n')).toContain('run.secrets.f (not referenced by env or a volume)');
    expect(d.lost.join('\n')).toContain('run.shmSize');
  });

  it('bad input is an error naming the job and field', () => {
    const bad = (jobs: unknown) => () => importJobs('metronome', JSON.stringify(jobs), 'in.json');
    expect(bad({ id: 'x' })).toThrow('in.json: not a job list: expected a JSON array as GET /v1/jobs?embed=schedules returns, got an object');
    expect(bad([{ id: 'x', run: { cpus: 1, mem: 32, disk: 0 } }])).toThrow('metronome job "x": run.cmd: missing');
    expect(bad([{ id: 'x', run: { ...run, mem: 'big' } }])).toThrow('metronome job "x": run.mem: expected a number, got string "big"');
    expect(bad([{ id: 'x', run: { ...run, env: { PW: { secret: 'nope' } } } }])).toThrow('metronome job "x": run.secrets.nope: env.PW refers to secret "nope", which has no source');
    expect(bad([{ id: 'x', run, dependencies: [{ id: 'y' }] }])).toThrow('metronome job "x": dependencies: "y" is not a job in this list');
    expect(bad([{ id: 'x', run }, { id: 'x', run }])).toThrow('metronome job "x": id: appears twice in the list');
    expect(bad([{ id: 'x', run, schedules: [{ id: 's' }] }])).toThrow('metronome job "x": schedules[0].cron: missing');
  });
});
