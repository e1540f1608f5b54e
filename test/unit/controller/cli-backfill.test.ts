import { describe, expect, it } from 'vitest';
import { backfillBody, describePlan, progressBar, summarize } from '../../../src/cli/backfill.js';
import type { BackfillProgress } from '../../../src/ports/charts.js';

const T = (iso: string) => Date.parse(iso);

describe('kairos backfill', () => {
  it('turns flags into the request body and refuses contradicting or malformed ones', () => {
    expect(backfillBody({ from: 'a', to: 'b' })).toEqual({ from: 'a', to: 'b' });
    expect(backfillBody({ from: 'a', to: 'b', maxParallel: '4', rerunFailed: true, dryRun: true })).toEqual({ from: 'a', to: 'b', maxParallel: 4, rerun: 'failed', dryRun: true });
    expect(backfillBody({ from: 'a', to: 'b', rerunAll: true })).toMatchObject({ rerun: 'all' });
    expect(() => backfillBody({ from: 'a', to: 'b', rerunAll: true, rerunFailed: true })).toThrow('--rerun-failed and --rerun-all: give at most one');
    expect(() => backfillBody({ from: 'a', to: 'b', maxParallel: 'two' })).toThrow('--max-parallel: expected a whole number, got "two"');
  });

  it('lists each instant of a dry run with what would happen, then the counts', () => {
    const text = describePlan({
      id: 'backfill-x',
      job: 'j',
      dryRun: true,
      instants: [
        { at: T('2026-03-01T00:00:00Z'), runId: 'j@2026-03-01T00:00:00.000Z', action: 'run' },
        { at: T('2026-03-01T01:00:00Z'), runId: 'j@2026-03-01T01:00:00.000Z', action: 'skip', existing: 'succeeded' },
        { at: T('2026-03-01T02:00:00Z'), runId: 'j@2026-03-01T02:00:00.000Z', action: 'rerun', existing: 'missed' },
      ],
    });
    expect(text.split('\n')).toEqual([
      '2026-03-01T00:00:00.000Z  would run    j@2026-03-01T00:00:00.000Z',
      '2026-03-01T01:00:00.000Z  skip         j@2026-03-01T01:00:00.000Z (succeeded)',
      '2026-03-01T02:00:00.000Z  would re-run j@2026-03-01T02:00:00.000Z (missed)',
      'dry run of a backfill of j: 3 instants, 1 to run, 1 to re-run, 1 skipped (already ran or active)',
    ]);
  });

  it('draws progress and closes with the runs that did not succeed', () => {
    const p: BackfillProgress = {
      id: 'backfill-x', job: 'j', maxParallel: 2, total: 4, queued: 1, active: 1, succeeded: 1, failed: 1, done: false,
      runs: [{ id: 'j@1', state: 'succeeded', scheduledAt: 1 }, { id: 'j@2', state: 'failed', scheduledAt: 2 }],
    };
    expect(progressBar(p, 8)).toBe('[####....] 2/4  1 succeeded, 1 failed, 1 running, 1 queued');
    expect(summarize(p)).toBe('backfill-x of j done: 1 of 4 succeeded, 1 did not\n  j@2 failed');
  });
});
