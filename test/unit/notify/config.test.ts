import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../../src/core/errors.js';
import { loadManifests } from '../../../src/manifests/load.js';
import { snapshotOf } from '../../fixtures/manifests/index.js';
import { readNotifyConfig } from '../../../src/notify/config.js';

const dir = mkdtempSync(join(tmpdir(), 'kairos-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function problems(text: string): string[] {
  const file = join(dir, 'n.yaml');
  writeFileSync(file, text);
  try {
    readNotifyConfig(file);
  } catch (err) {
    if (err instanceof ManifestError) return err.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('--notify-config', () => {
  it('reads the shipped example with the schema defaults filled in', () => {
    const c = readNotifyConfig('examples/notify/notify-config.yaml');
    expect(c.defaults).toEqual([{ on: ['failed', 'sla_missed'], webhook: { url: 'https://hooks.example.com/kairos', secret: { env: 'HOOK_SECRET' } } }]);
    expect(c.smtp).toEqual({ host: 'smtp.example.com', port: 587, secure: false, requireTLS: true, user: 'kairos', password: { env: 'SMTP_PASSWORD' }, from: 'Kairos <kairos@example.com>' });
    expect([c.maxOutbox, c.maxAttempts]).toEqual([1000, 8]);
  });

  it('names line, column and field of each mistake', () => {
    expect(problems('defaults:\n  - on: [failed, exploded]\n    slack: { url: "https://x" }\n')).toEqual([
      expect.stringMatching(/^2:\d+ defaults\[0\]\.on\[1\]: expected one of failed, missed, sla_missed, unschedulable, recovered, succeeded, preempted, got "exploded"/),
    ]);
    expect(problems('defaults:\n  - on: [failed]\n    slack: { url: "https://x" }\n    email: { to: [a@b.c] }\n')).toEqual(['2:5 defaults[0]: expected exactly one of webhook, slack or email']);
    expect(problems('smtp: { host: h, from: f, pasword: x }\n')).toEqual([expect.stringMatching(/^1:\d+ smtp\.pasword: unknown field "pasword" \(did you mean "password"\?\)/)]);
    expect(problems('maxOutbox: 0\n')).toEqual(['1:12 maxOutbox: must be >= 1, got 0']);
  });

  it('accepts notify and sla in manifests and rejects a misspelt event with its position', () => {
    const job = (extra: string) => ({ 'a.yaml': `apiVersion: kairos/v1\nkind: Job\nmetadata: { name: a }\nspec:\n  command: { shell: "true" }\n${extra}` });
    const ok = loadManifests(snapshotOf(job('  sla: { finishWithinSeconds: 60 }\n  notify:\n    - on: [failed]\n      slack: { url: { env: SLACK_URL } }\n')));
    expect(ok.desired?.resources[0].spec).toMatchObject({ sla: { finishWithinSeconds: 60 }, notify: [{ on: ['failed'], slack: { url: { env: 'SLACK_URL' } } }] });
    const bad = loadManifests(snapshotOf(job('  notify:\n    - on: [faild]\n      slack: { url: { env: SLACK_URL } }\n')));
    expect(bad.problems.map((p) => `${p.line} ${p.path}`)).toEqual(['7 spec.notify[0].on[0]']);
  });
});
