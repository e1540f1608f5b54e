import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nextReport, parseNextOptions, renderNext } from '../../../src/cli/next.js';
import { KairosError } from '../../../src/core/errors.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { DirectorySource } from '../../../src/source/directory.js';
import { job, T } from './harness.js';

const opts = (after: string, count = 3) => ({ after: T(after), count });

describe('kairos next', () => {
  it('prints runs in the job zone and UTC, across the spring-forward night', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kairos-next-'));
    try {
      await writeFile(
        join(dir, 'nightly.yaml'),
        'apiVersion: kairos/v1\nkind: Job\nmetadata: { name: nightly }\nspec:\n  schedule: { cron: "0 2 * * *", timeZone: America/New_York }\n  command: { shell: "true" }\n',
      );
      const desired = loadDesired(await new DirectorySource(dir).snapshot());
      const rep = nextReport(desired.resources, 'nightly', opts('2026-03-07T12:00:00Z'));
      expect(renderNext(rep)).toBe(
        [
          'Job nightly: cron 0 2 * * * (America/New_York)',
          '  2026-03-08T03:00:00-04:00  2026-03-08T07:00:00Z',
          '  2026-03-09T02:00:00-04:00  2026-03-09T06:00:00Z',
          '  2026-03-10T02:00:00-04:00  2026-03-10T06:00:00Z',
          '',
        ].join('\n'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('explains jobs without runs to show', () => {
    const rs = [
      job('child', { after: ['a', 'b'] }).resource,
      job('once', { schedule: { kind: 'iso8601', expression: 'R1/2026-01-01T00:00:00Z/P1D', timeZone: 'UTC' } }).resource,
      job('off', { suspend: true, schedule: { kind: 'cron', expression: '@daily', timeZone: 'UTC' } }).resource,
    ];
    expect(nextReport(rs, 'child', opts('2026-01-01T00:00:00Z'))).toEqual({ job: 'child', kind: 'Job', note: 'runs after its parents succeed: a, b', runs: [] });
    expect(nextReport(rs, 'once', opts('2025-12-01T00:00:00Z')).runs.map((r) => r.utc)).toEqual(['2026-01-01T00:00:00Z']);
    expect(nextReport(rs, 'once', opts('2025-12-01T00:00:00Z')).note).toBe('the schedule has no further runs');
    expect(nextReport(rs, 'off', opts('2026-01-01T00:00:00Z')).note).toMatch(/suspended/);
    expect(() => nextReport(rs, 'nope', opts('2026-01-01T00:00:00Z'))).toThrow(/no Job or DAG named "nope" \(known: child, off, once\)/);
  });

  it('validates its flags', () => {
    expect(parseNextOptions({}, 42)).toEqual({ count: 5, after: 42 });
    expect(parseNextOptions({ count: '2', after: '2026-03-08T00:00:00+01:00' }, 0)).toEqual({ count: 2, after: T('2026-03-07T23:00:00Z') });
    for (const bad of [{ count: '0' }, { count: 'x' }, { after: 'yesterday' }, { after: '2026-03-08T00:00:00' }]) {
      expect(() => parseNextOptions(bad, 0)).toThrow(KairosError);
    }
  });
});
