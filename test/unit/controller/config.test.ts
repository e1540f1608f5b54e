import { describe, expect, it } from 'vitest';
import { compileServeConfig, parseDuration, parseListen, parseMesos, parseSource, parseStore } from '../../../src/config.js';
import { KairosError } from '../../../src/core/errors.js';

describe('compileServeConfig', () => {
  it('fills every default: file store, embedded master, loopback listen, 30 s poll, no prune', () => {
    const c = compileServeConfig({}, {}, '/repo');
    expect(c).toEqual({
      source: { kind: 'dir', path: '/repo' },
      store: { kind: 'file', path: '/repo/.kairos/state.json' },
      mesos: { kind: 'embedded', agents: 2 },
      listen: { host: '127.0.0.1', port: 4400 },
      allowedHosts: [],
      pollMs: 30_000,
      prune: false,
      allowMassPrune: false,
      allowRewind: false,
      webhookSecret: undefined,
      tokensFile: undefined,
      historyCap: 10_000,
      logLevel: 'info',
      metricsPublic: false,
      preemptAfterSeconds: 300,
      unschedulableAfterMs: 300_000,
      writeRate: { perMinute: 60, burst: 20 },
    });
  });

  it('takes --write-rate PER_MINUTE[:BURST] from flag or KAIROS_WRITE_RATE, and names the flag on a bad value', () => {
    expect(compileServeConfig({ writeRate: '600:100' }, {}, '/repo').writeRate).toEqual({ perMinute: 600, burst: 100 });
    expect(compileServeConfig({}, { KAIROS_WRITE_RATE: '90' }, '/repo').writeRate).toEqual({ perMinute: 90, burst: 30 });
    expect(() => compileServeConfig({ writeRate: 'fast' }, {}, '/repo')).toThrow(/--write-rate.*PER_MINUTE\[:BURST\]/);
    expect(() => compileServeConfig({ writeRate: '0' }, {}, '/repo')).toThrow(/--write-rate/);
  });

  it('takes --unschedulable-after from flag or KAIROS_UNSCHEDULABLE_AFTER, and refuses what is not a duration', () => {
    expect(compileServeConfig({ unschedulableAfter: '90s' }, {}, '/repo').unschedulableAfterMs).toBe(90_000);
    expect(compileServeConfig({}, { KAIROS_UNSCHEDULABLE_AFTER: '1h' }, '/repo').unschedulableAfterMs).toBe(3_600_000);
    expect(() => compileServeConfig({ unschedulableAfter: 'soon' }, {}, '/repo')).toThrow(/--unschedulable-after/);
  });

  it('takes --notify-config relative to the working directory and --metrics-public from flag or KAIROS_METRICS_PUBLIC', () => {
    expect(compileServeConfig({ notifyConfig: 'notify.yaml', metricsPublic: true }, {}, '/repo')).toMatchObject({ notifyConfig: '/repo/notify.yaml', metricsPublic: true });
    expect(compileServeConfig({}, { KAIROS_NOTIFY_CONFIG: '/etc/k/n.yaml', KAIROS_METRICS_PUBLIC: '1' }, '/repo')).toMatchObject({ notifyConfig: '/etc/k/n.yaml', metricsPublic: true });
  });

  it('takes KAIROS_* environment variables, and flags win over them', () => {
    const env = { KAIROS_POLL: '5m', KAIROS_STORE: 'memory', KAIROS_PRUNE: '1', KAIROS_WEBHOOK_SECRET: 's3cret' };
    const c = compileServeConfig({ poll: '10s' }, env, '/repo');
    expect(c.pollMs).toBe(10_000);
    expect(c.store).toEqual({ kind: 'memory' });
    expect(c.prune).toBe(true);
    expect(c.webhookSecret).toBe('s3cret');
    expect(compileServeConfig({ prune: false }, env, '/repo').prune).toBe(false);
  });

  it('takes a secrets directory from --secrets-dir or KAIROS_SECRETS_DIR (relative to the cwd); none means KAIROS_SECRET_* variables', () => {
    expect(compileServeConfig({}, {}, '/repo').secretsDir).toBeUndefined();
    expect(compileServeConfig({}, { KAIROS_SECRETS_DIR: 'secrets' }, '/repo').secretsDir).toBe('/repo/secrets');
    expect(compileServeConfig({ secretsDir: '/run/kairos' }, { KAIROS_SECRETS_DIR: 'secrets' }, '/repo').secretsDir).toBe('/run/kairos');
  });

  it('takes --zk-session-timeout (or KAIROS_ZK_SESSION_TIMEOUT) as a duration from 1s to 10m', () => {
    expect(compileServeConfig({ zkSessionTimeout: '4s' }, {}, '/repo').zkSessionTimeoutMs).toBe(4000);
    expect(compileServeConfig({}, { KAIROS_ZK_SESSION_TIMEOUT: '2500ms' }, '/repo').zkSessionTimeoutMs).toBe(2500);
    expect(compileServeConfig({}, {}, '/repo')).not.toHaveProperty('zkSessionTimeoutMs');
    expect(() => compileServeConfig({ zkSessionTimeout: '200ms' }, {}, '/repo')).toThrow(/^--zk-session-timeout: expected a duration from 1s to 10m, got "200ms"/);
    expect(() => compileServeConfig({ zkSessionTimeout: 'soon' }, {}, '/repo')).toThrow(/^--zk-session-timeout: /);
  });

  it('names the flag and what was expected when a value is malformed', () => {
    expect(() => compileServeConfig({ poll: 'soon' })).toThrow(/--poll: expected a duration like 500ms, 30s, 5m or 1h, got "soon"/);
    expect(() => compileServeConfig({ agents: '0' })).toThrow(/--agents: expected an integer ≥ 1/);
    expect(() => compileServeConfig({ logLevel: 'loud' })).toThrow(KairosError);
  });
});

describe('option parsers', () => {
  it('durations', () => {
    expect(parseDuration('--poll', '500ms')).toBe(500);
    expect(parseDuration('--poll', '1.5s')).toBe(1500);
    expect(parseDuration('--poll', '2h')).toBe(7_200_000);
    expect(parseDuration('--poll', '45')).toBe(45_000);
    expect(() => parseDuration('--poll', '-1s')).toThrow(KairosError);
  });

  it('listen addresses, IPv6 in brackets, port 0 for tests', () => {
    expect(parseListen('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('localhost')).toThrow(/--listen/);
    expect(() => parseListen('h:70000')).toThrow(/--listen/);
  });

  it('sources: remote-looking or with a ref is git, anything else a directory', () => {
    expect(parseSource('https://git.example/jobs.git', undefined, '/w')).toEqual({ kind: 'git', url: 'https://git.example/jobs.git', ref: undefined });
    expect(parseSource('git@host:team/jobs', 'prod', '/w')).toEqual({ kind: 'git', url: 'git@host:team/jobs', ref: 'prod' });
    expect(parseSource('repo', 'main', '/w')).toEqual({ kind: 'git', url: '/w/repo', ref: 'main' });
    expect(parseSource('examples', undefined, '/w')).toEqual({ kind: 'dir', path: '/w/examples' });
  });

  it('stores', () => {
    expect(parseStore('file:state.json', '/w')).toEqual({ kind: 'file', path: '/w/state.json' });
    expect(parseStore('zk://a:2181,b:2181/kairos', '/w')).toEqual({ kind: 'zk', url: 'zk://a:2181,b:2181/kairos' });
    expect(() => parseStore('redis://x', '/w')).toThrow(/--store: expected file:PATH/);
    expect(() => parseStore('zk://a:2181', '/w')).toThrow(KairosError);
  });

  it('masters: embedded with its agent count, or an address for the framework', () => {
    expect(parseMesos('embedded', 3)).toEqual({ kind: 'embedded', agents: 3 });
    expect(parseMesos('http://m1:5050,m2:5050', 2)).toEqual({ kind: 'remote', address: { kind: 'http', urls: ['http://m1:5050', 'http://m2:5050'] } });
    expect(parseMesos('zk://z:2181/mesos', 2)).toEqual({ kind: 'remote', address: { kind: 'zk', hosts: 'z:2181', path: '/mesos' } });
    expect(() => parseMesos('zk://z:2181', 1)).toThrow(/--mesos/);
  });
});
