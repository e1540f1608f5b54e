import { describe, expect, it } from 'vitest';
import { documentsOf, documentText, MAX_DOCUMENT_TEXT } from '../../../src/manifests/document.js';
import { loadDesired } from '../../../src/manifests/load.js';
import { jobManifest } from '../../support/job-manifest.js';

const snapshotOf = (files: Record<string, string>) => ({
  revision: 'r1',
  files: Object.entries(files).map(([path, text]) => ({ path, content: Buffer.from(text) })),
  problems: [],
});

describe('documentText / documentsOf', () => {
  it('cuts each document from its first line to the next separator, in every file', () => {
    const a = jobManifest('a', '* * * * *', 'echo a');
    const b = jobManifest('b', undefined, 'echo b');
    const c = jobManifest('c', '0 * * * *', 'echo c');
    const snap = snapshotOf({ 'one.yaml': `# header\n---\n${a}\n# trailing comment of a\n---   \n${b}`, 'two.yaml': c });
    const docs = documentsOf(snap, loadDesired(snap).resources);
    expect(Object.fromEntries(docs)).toEqual({ a: `${a}\n# trailing comment of a\n`, b, c });
  });

  it('is undefined outside the file, and a document over the size limit is not kept', () => {
    expect(documentText(['a: 1'], 2)).toBeUndefined();
    expect(documentText(['a: 1'], 0)).toBeUndefined();
    const big = jobManifest('big', undefined, 'x'.repeat(MAX_DOCUMENT_TEXT));
    const snap = snapshotOf({ 'big.yaml': big });
    expect(documentsOf(snap, loadDesired(snap).resources).size).toBe(0);
  });
});
