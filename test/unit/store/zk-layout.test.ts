import { describe, expect, it } from 'vitest';
import { decodeData, encodeData, escapeName, parseZkUrl, redactZkUrl, unescapeName, zkPaths } from '../../../src/store/zk-layout.js';

describe('ZooKeeper layout', () => {
  it('escapes ids into legal, reversible znode names', () => {
    const ids = ['nightly@2026-03-08T07:00:00.000Z', 'a/b', '.', '..', '...', '%', 'zone ü 日本', '\u0001x', 'emoji 😀', 'plain-name_1.2~'];
    for (const id of ids) {
      const name = escapeName(id);
      expect(name).not.toMatch(/[/\s\u0000-\u001f\u007f-\u009f]/);
      expect(['.', '..']).not.toContain(name);
      expect(unescapeName(name)).toBe(id);
    }
    expect(escapeName('nightly@2026-03-08T07:00:00.000Z')).toBe('nightly@2026-03-08T07:00:00.000Z');
    expect(escapeName('a/b')).toBe('a%2Fb');
    expect(zkPaths('/kairos').key('runs', 'a/b')).toBe('/kairos/data/runs/a%2Fb');
  });

  it('keeps small values as readable JSON and deflates large ones', () => {
    const small = JSON.stringify({ a: 1 });
    expect(encodeData(small).toString()).toBe(small);
    const large = JSON.stringify({ log: 'line of output\n'.repeat(500) });
    const packed = encodeData(large);
    expect(packed[0]).toBe(0);
    expect(packed.length).toBeLessThan(large.length / 10);
    expect(decodeData(packed)).toBe(large);
    expect(decodeData(encodeData(small))).toBe(small);
  });

  it('parses zk:// URLs with several hosts and credentials, and redacts passwords', () => {
    expect(parseZkUrl('zk://127.0.0.1:2181/kairos')).toEqual({ servers: '127.0.0.1:2181', root: '/kairos', auth: undefined });
    expect(parseZkUrl('zk://u:p%40ss@a:1,b:2/x/y/')).toEqual({ servers: 'a:1,b:2', root: '/x/y', auth: 'u:p@ss' });
    expect(parseZkUrl('zk://a:1/k?sessionTimeoutMs=2500')).toMatchObject({ root: '/k', sessionTimeoutMs: 2500 });
    for (const bad of ['zk://a:1', 'zk://a:1/', 'zk://a/x', 'http://a:1/x', 'zk://a:1,b/x', 'zk://a:1/x?timeout=1']) {
      expect(() => parseZkUrl(bad)).toThrow(/must look like zk:\/\//);
    }
    expect(redactZkUrl('zk://u:secret@a:1/x')).toBe('zk://u:***@a:1/x');
    expect(() => parseZkUrl('zk://u:secret@a/x')).toThrow(/zk:\/\/u:\*\*\*@a\/x/);
  });
});
