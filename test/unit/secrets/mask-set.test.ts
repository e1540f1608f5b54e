import { describe, expect, it } from 'vitest';
import { MaskSet } from '../../../src/secrets/mask-set.js';
import { SecretOverrides } from '../../../src/secrets/run-overrides.js';
import { urlCredentials } from '../../../src/core/url-credentials.js';
import { secretEnvFrom } from '../../../src/cli/run.js';
import { parseOverrides } from '../../../src/api/routes-jobs.js';
import { maskSecrets } from '../../../src/api/redact.js';

describe('MaskSet', () => {
  it('joins fixed values and live sources; a value inside another is masked whole in any order', () => {
    const live: string[] = [];
    const m = new MaskSet().add('token-abcdef', undefined, '').from(() => live);
    expect(m.values()).toEqual(['token-abcdef']);
    live.push('token-abcdef-and-more');
    expect([...m.values()].sort()).toEqual(['token-abcdef', 'token-abcdef-and-more']);
    expect(maskSecrets('x token-abcdef-and-more y', m.values())).toBe('x *** y');
    // Whatever order the values come in, the longer secret is masked whole.
    expect(maskSecrets('x token-abcdef-and-more y', ['token-abcdef', 'token-abcdef-and-more'])).toBe('x *** y');
  });
});

describe('urlCredentials', () => {
  it('finds passwords (written and decoded), bare user tokens, and nothing in plain URLs', () => {
    expect(urlCredentials('zk://kairos:s3cr%40t-pw@zk1:2181/k')).toEqual(['s3cr%40t-pw', 's3cr@t-pw']);
    expect(urlCredentials('https://ghp_abcdef123456@github.com/org/repo.git')).toEqual(['ghp_abcdef123456']);
    expect(urlCredentials('http://m1:5050 http://m2:5050')).toEqual([]);
    expect(urlCredentials('a https://u:p1@h and http://v:p2@g')).toEqual(['p1', 'p2']);
  });
});

describe('SecretOverrides', () => {
  it('holds values per run for launching and keeps every value for masking', () => {
    const s = new SecretOverrides();
    s.hold('job@manual-1', { API_KEY: 'value-one-123' });
    expect(s.valueOf('job@manual-1', 'API_KEY')).toBe('value-one-123');
    expect(s.valueOf('job@manual-1', 'OTHER')).toBeUndefined();
    expect(s.valueOf('job@manual-2', 'API_KEY')).toBeUndefined();
    expect([...s.values()]).toEqual(['value-one-123']);
  });
});

describe('secret run overrides at the edges', () => {
  it('kairos run --secret-env reads values from the environment, never the command line', () => {
    expect(secretEnvFrom(['API_KEY'], { API_KEY: 'v-123456' })).toEqual({ API_KEY: 'v-123456' });
    expect(() => secretEnvFrom(['API_KEY'], {})).toThrow(/--secret-env API_KEY: set the environment variable API_KEY/);
  });

  it('the API splits stored overrides from secret values and names a bad field', () => {
    expect(parseOverrides({ env: { A: '1' }, secretEnv: { B: 'secret-1' } })).toEqual({ overrides: { env: { A: '1' } }, secretEnv: { B: 'secret-1' } });
    expect(parseOverrides({})).toEqual({});
    expect(parseOverrides(undefined)).toEqual({});
    expect(() => parseOverrides({ secretEnv: { 'BAD-NAME': 'x' } })).toThrow(/secretEnv\.BAD-NAME/);
    expect(() => parseOverrides({ secretEnv: ['B'] })).toThrow(/secretEnv/);
    expect(() => parseOverrides({ secrets: {} })).toThrow(/unknown field/);
  });
});
