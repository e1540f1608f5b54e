import { describe, expect, it } from 'vitest';
import { documentChunks, parseFile } from '../../../src/manifests/yaml.js';

const parse = (text: string) => parseFile('f.yaml', Buffer.from(text));

describe('YAML documents (one parser, js-yaml)', () => {
  it('locates values and keys in block, flow, anchored and merged mappings', () => {
    const text = [
      'base: &b { cpus: 1, mem: 64 }', // 1
      'spec:', // 2
      '  # a comment', // 3
      '  resources: { <<: *b, mem: 128 }', // 4
      '  tasks:', // 5
      '    - { name: a, dependsOn: [x, y] }', // 6
      '    - name: b', // 7
      '      job:', // 8
      '  "quoted key": 1', // 9
    ].join('\n');
    const { docs, problems } = parse(text + '\n');
    expect(problems).toEqual([]);
    const [d] = docs;
    expect(d.value).toEqual({ base: { cpus: 1, mem: 64 }, spec: { resources: { cpus: 1, mem: 128 }, tasks: [{ name: 'a', dependsOn: ['x', 'y'] }, { name: 'b', job: null }], 'quoted key': 1 } });
    expect(d.locate([])).toEqual({ line: 1, column: 1 });
    expect(d.locate(['spec', 'resources'])).toEqual({ line: 4, column: 14 });
    expect(d.locate(['spec', 'resources', 'mem'])).toEqual({ line: 4, column: 29 });
    expect(d.locate(['spec', 'resources', 'mem'], true)).toEqual({ line: 4, column: 24 });
    expect(d.locate(['spec', 'resources', 'cpus'])).toEqual({ line: 4, column: 14 }); // merged in: at the mapping
    expect(d.locate(['spec', 'tasks', 0, 'dependsOn', 1])).toEqual({ line: 6, column: 33 });
    expect(d.locate(['spec', 'tasks', 1, 'name'])).toEqual({ line: 7, column: 13 });
    expect(d.locate(['spec', 'tasks', 1, 'job'])).toEqual({ line: 8, column: 11 }); // empty value: right after its colon
    expect(d.locate(['spec', 'tasks', 1, 'missing'])).toEqual({ line: 7, column: 7 }); // missing: at its parent
    expect(d.locate(['spec', 'quoted key'], true)).toEqual({ line: 9, column: 3 });
    // A flow mapping key without a value (`timeZone:x UTC` is one plain scalar) is still a key.
    const [e] = parse('s: { timeZone:x UTC, cron: "* * * * *" }\n').docs;
    expect(e.value).toEqual({ s: { 'timeZone:x UTC': null, cron: '* * * * *' } });
    expect(e.locate(['s', 'timeZone:x UTC'], true)).toEqual({ line: 1, column: 6 });
    expect(e.locate(['s', 'cron'])).toEqual({ line: 1, column: 28 });
  });

  it('cuts files at --- lines: comments and directives go with the next document, empty ones are dropped', () => {
    const text = '# header\n%YAML 1.2\n---\na: 1\n---\n# only a comment\n--- # marker comment\n\nb: 2\n...\n---\n';
    expect(documentChunks(text).map((c) => [c.contentLine + 1, text.slice(c.start, c.end)])).toEqual([
      [4, '# header\n%YAML 1.2\n---\na: 1\n'],
      [9, '--- # marker comment\n\nb: 2\n...\n'],
    ]);
    const { docs, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(docs.map((d) => [d.line, d.value, d.text])).toEqual([
      [4, { a: 1 }, 'a: 1\n'],
      [9, { b: 2 }, 'b: 2\n...\n'],
    ]);
    expect(parse('--- { c: 3 }\n').docs.map((d) => [d.line, d.value])).toEqual([[1, { c: 3 }]]);
  });

  it('reports a syntax error in one document at its file line, and still reads the others', () => {
    const { docs, problems } = parse('a: 1\n---\nb: [2\n---\nc: 3\nc: 4\n---\nd: 5\n');
    expect(docs.map((d) => d.value)).toEqual([{ a: 1 }, { d: 5 }]);
    expect(problems.map((p) => [p.line, p.column, p.message])).toEqual([
      [4, 1, 'YAML syntax: unexpected end of the stream within a flow collection'], // where the next document's --- cuts it off
      [6, 1, 'YAML syntax: duplicated mapping key'],
    ]);
  });

  it('counts positions after a byte order mark, and refuses nesting too deep for the parser', () => {
    const { docs, problems } = parse('\uFEFFa: &x 1\nb: { c: 2 }\n---\nd: [x\n');
    expect(docs[0].locate(['b', 'c'])).toEqual({ line: 2, column: 9 });
    expect(problems.map((p) => [p.line, p.column])).toEqual([[5, 1]]);
    expect(parse('a: 1\n---\nb: ' + '['.repeat(100_000) + '\n').problems.map((p) => [p.line, p.column, p.message])).toEqual([[3, 1, 'YAML refused: nested too deeply']]);
  });

  it('never quotes the source in an error (a token file may hold a secret there)', () => {
    const { problems } = parse('tokens:\n  - token: "s3cr3t-token-value\n');
    expect(problems).toHaveLength(1);
    expect(JSON.stringify(problems)).not.toContain('s3cr3t');
  });

  it('keeps YAML 1.2 core scalars as written (no timestamps, no yes/no booleans, no octal 0777)', () => {
    expect(parse('a: 0x1F\nb: 0o17\nc: .inf\nd: ~\ne: "2026-01-01"\nf: 2026-01-01\ng: yes\nh: 1e3\ni: 0777\n').docs[0].value).toEqual({
      a: 31,
      b: 15,
      c: Infinity,
      d: null,
      e: '2026-01-01',
      f: '2026-01-01',
      g: 'yes',
      h: 1000,
      i: 777,
    });
  });
});
