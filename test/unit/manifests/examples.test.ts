import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../src/core/types.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { DirectorySource } from '../../../src/source/directory.js';

const examples = new URL('../../../examples/', import.meta.url).pathname;

describe('examples/', () => {
  it('validates, and covers what the README promises', async () => {
    const d = loadDesired(await new DirectorySource(examples).snapshot());
    const byName = new Map(d.resources.map((r) => [r.metadata.name, r]));
    expect(d.resources.length).toBeGreaterThanOrEqual(8);
    // the CI workflow next to the manifests is ignored through examples/.kairosignore
    expect(d.resources.every((r) => !r.source.file.startsWith('ci/'))).toBe(true);
    const video = byName.get('video-transcode');
    expect(video?.kind).toBe('DAG');
    if (video?.kind === 'DAG') expect(video.spec.tasks.filter((t) => t.name.startsWith('transcode-')).map((t) => t.dependsOn)).toEqual(Array(4).fill(['split']));
    expect(byName.get('nightly-report')?.spec.schedule).toEqual({ kind: 'cron', expression: '30 2 * * *', timeZone: 'Asia/Shanghai' });
    expect(byName.get('hourly-rollup')?.spec.schedule?.kind).toBe('iso8601');
    expect(byName.get('reindex-batch')?.spec.schedule).toBeUndefined();
    expect((byName.get('etl-load')?.spec as JobSpec).after).toEqual(['etl-transform']);
    expect((byName.get('model-training')?.spec as JobSpec).resources.gpus).toBe(2);
    const canary = byName.get('api-canary')?.spec as JobSpec;
    expect(canary.constraints.length).toBeGreaterThan(0);
    expect(canary.resources.ports).toBe(1);
    expect(byName.get('legacy-cleanup')?.spec.suspend).toBe(true);
    // at least two scheduled jobs run without Docker, so `npm start` really runs something
    const plain = d.resources.filter((r) => r.kind === 'Job' && r.spec.schedule && !r.spec.container && r.spec.command && !r.spec.suspend);
    expect(plain.map((r) => r.metadata.name).sort()).toEqual(['disk-report', 'heartbeat']);
  });
});
