import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../../../src/api/access.js';
import { hmacHex } from '../../../src/api/webhook.js';
import type { WebhookEvent } from '../../../src/api/webhook.js';
import { makeApi } from './harness.js';

const SECRET = 'webhook-secret-xyz';
const push = JSON.stringify({ ref: 'refs/heads/main', after: 'deadbeef', repository: { full_name: 'ops/jobs' } });

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setup(secret: string | undefined, extra: Parameters<typeof makeApi>[0] = {}) {
  const events: WebhookEvent[] = [];
  app = makeApi({ webhook: { secret, onWebhook: (e) => void events.push(e) }, ...extra }).app;
  const post = (headers: Record<string, string>, payload = push) =>
    app!.inject({ method: 'POST', url: '/v1/webhook', payload, headers: { 'content-type': 'application/json', ...headers } });
  return { events, post };
}

describe('POST /v1/webhook', () => {
  it('accepts a GitHub push with a good signature and triggers a sync', async () => {
    const { events, post } = setup(SECRET);
    const res = await post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmacHex(SECRET, push)}` });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, provider: 'github', ref: 'refs/heads/main', after: 'deadbeef' });
    expect(events).toEqual([{ provider: 'github', event: 'push', ref: 'refs/heads/main', after: 'deadbeef', repository: 'ops/jobs' }]);
  });

  it('refuses a bad, missing or body-mismatched signature with 401 and triggers nothing', async () => {
    const { events, post } = setup(SECRET);
    const cases: Record<string, string>[] = [
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmacHex('other-secret', push)}` },
      { 'x-github-event': 'push' },
      { 'x-gitea-event': 'push', 'x-gitea-signature': hmacHex(SECRET, push + ' ') },
      { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'guess' },
    ];
    for (const headers of cases) {
      const res = await post(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json().error.code).toBe('E_SIGNATURE');
    }
    expect(events).toEqual([]);
  });

  it('accepts Gitea signatures and GitLab tokens', async () => {
    const { events, post } = setup(SECRET);
    expect((await post({ 'x-gitea-event': 'push', 'x-gitea-signature': hmacHex(SECRET, push) })).statusCode).toBe(202);
    const gitlab = JSON.stringify({ ref: 'refs/heads/main', checkout_sha: 'cafe', project: { path_with_namespace: 'ops/jobs' } });
    expect((await post({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, gitlab)).statusCode).toBe(202);
    expect(events.map((e) => [e.provider, e.after, e.repository])).toEqual([
      ['gitea', 'deadbeef', 'ops/jobs'],
      ['gitlab', 'cafe', 'ops/jobs'],
    ]);
  });

  it('understands GitHub form-encoded payloads (signature over the raw form body)', async () => {
    const { events } = setup(SECRET);
    const form = `payload=${encodeURIComponent(push)}`;
    const res = await app!.inject({
      method: 'POST',
      url: '/v1/webhook',
      payload: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmacHex(SECRET, form)}` },
    });
    expect(res.statusCode).toBe(202);
    expect(events[0].after).toBe('deadbeef');
  });

  it('ignores non-push events such as ping without syncing', async () => {
    const { events, post } = setup(SECRET);
    const body = '{"zen":"hi"}';
    const res = await post({ 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmacHex(SECRET, body)}` }, body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: false, reason: 'ignored event ping' });
    expect(events).toEqual([]);
  });

  it('without a secret but with access control, needs an operator token', async () => {
    const access = accessConfig([{ name: 'ci', role: 'operator', token: 'operator-token-0123456789' }]);
    const { events, post } = setup(undefined, { access });
    expect((await post({ 'x-github-event': 'push' })).statusCode).toBe(401);
    expect((await post({ 'x-github-event': 'push', authorization: 'Bearer operator-token-0123456789' })).statusCode).toBe(202);
    expect(events).toHaveLength(1);
  });

  it('is absent when no trigger is configured', async () => {
    app = makeApi().app;
    expect((await app.inject({ method: 'POST', url: '/v1/webhook', payload: push, headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
  });
});
