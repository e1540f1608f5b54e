import { describe, expect, it } from 'vitest';
import { loadChecked, MAX_DOCUMENT_TEXT } from '../../../src/manifests/load.js';
import { jobManifest } from '../../support/job-manifest.js';

const snapshotOf = (files: Record<string, string>) => ({
  revision: 'r1',
  files: Object.entries(files).map(([path, text]) => ({ path, content: Buffer.from(text) })),
  problems: [],
});

describe('the document text each resource keeps', () => {
  it('is its document from its first line to the next separator, in every file', () => {
    const a = jobManifest('a', '* * * * *', 'echo a');
    const b = jobManifest('b', undefined, 'echo b');
    const c = jobManifest('c', '0 * * * *', 'echo c');
    const snap = snapshotOf({ 'one.yaml': `# header\n---\n${a}\n# trailing comment of a\n---   \n${b}`, 'two.yaml': c });
    expect(Object.fromEntries(loadChecked(snap).documents())).toEqual({ a: `${a}\n# trailing comment of a\n`, b, c });
  });

  it('is not kept for a document over the size limit', () => {
    const big = jobManifest('big', undefined, 'x'.repeat(MAX_DOCUMENT_TEXT));
    const { desired, documents } = loadChecked(snapshotOf({ 'big.yaml': big }));
    expect(desired.resources.map((r) => r.metadata.name)).toEqual(['big']);
    expect(documents().size).toBe(0);
  });
});
