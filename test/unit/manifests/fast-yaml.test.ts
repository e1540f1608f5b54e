import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fastParse } from '../../../src/manifests/fast-yaml.js';
import { parseText } from '../../../src/manifests/yaml.js';
import { jobYaml } from '../../fixtures/manifests/index.js';

const noLocate = () => ({ line: 0, column: 0 });
const examples = new URL('../../../examples/', import.meta.url);

/** Values and start lines, as both parsers should agree on them. */
function shape(docs: { value: unknown; line: number }[]) {
  return docs.map((d) => ({ value: d.value, line: d.line }));
}

describe('fast YAML path', () => {
  it('agrees with the full parser on every example and on multi-document files', async () => {
    const texts = await Promise.all((await readdir(examples)).filter((f) => f.endsWith('.yaml')).map((f) => readFile(new URL(f, examples), 'utf8')));
    texts.push('# leading comment\n\n---\n' + jobYaml('a') + '---\n# only a comment\n---\n\n' + jobYaml('b') + '---\n');
    texts.push('a: 0x1F\nb: 0o17\nc: .inf\nd: ~\ne: "2026-01-01"\nf: 2026-01-01\ng: yes\nh: 1e3\n');
    let fastUsed = 0;
    for (const text of texts) {
      const fast = fastParse('f.yaml', text, noLocate);
      const full = parseText('f.yaml', text);
      expect(full.problems).toEqual([]);
      if (fast) {
        fastUsed++;
        expect(shape(fast)).toEqual(shape(full.docs));
      }
    }
    expect(fastUsed).toBeGreaterThanOrEqual(texts.length - 2); // the anchor/merge examples take the full path
  });

  it('leaves anchors, aliases, merge keys, tags, directives and broken YAML to the full parser', () => {
    for (const text of ['a: &x 1\nb: *x\n', 'a: { <<: { b: 1 } }\n', 'a: !!str 1\n', '%YAML 1.2\n---\na: 1\n', 'a: 1\n...\n', '--- a: 1\n', 'a: [1\n', 'a: 1\na: 2\n']) {
      expect(fastParse('f.yaml', text, noLocate)).toBeUndefined();
    }
  });

  it('locates fields through the full parser, lazily', () => {
    const calls: number[] = [];
    const docs = fastParse('f.yaml', jobYaml('a') + '---\n' + jobYaml('b'), (k) => {
      calls.push(k);
      return { line: 42, column: 7 };
    })!;
    expect(calls).toEqual([]);
    expect(docs.map((d) => d.line)).toEqual([1, 8]);
    expect(docs[1].locate(['spec'])).toEqual({ line: 42, column: 7 });
    expect(calls).toEqual([1]);
  });
});
