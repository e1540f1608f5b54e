import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { accessConfig } from '../../../src/api/access.js';
import { hmacHex } from '../../../src/api/webhook.js';
import type { WebhookEvent } from '../../../src/api/webhook.js';
import { headersOnly } from '../../support/expect-continue.js';
import { makeApi } from './harness.js';

const SECRET = 'webhook-secret-xyz';
const push = JSON.stringify({ ref: 'refs/heads/main', after: 'deadbeef', repository: { full_name: 'ops/jobs' } });

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function setup(secret: string | undefined, extra: Parameters<typeof makeApi>[0] = {}, follows?: { ref?: string }) {
  const events: WebhookEvent[] = [];
  app = makeApi({ webhook: { secret, follows, onWebhook: (e) => void events.push(e) }, ...extra }).app;
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

  describe('only a push to the followed ref syncs; others are acknowledged (202) and ignored', () => {
    // Trimmed real payload shapes: GitHub and Gitea name the default branch under
    // `repository`, GitLab under `project`; all send `ref: refs/heads/<branch>`.
    const github = (ref: string) => JSON.stringify({ ref, after: 'a1', repository: { full_name: 'ops/jobs', default_branch: 'main' } });
    const gitea = (ref: string) => JSON.stringify({ ref, after: 'b2', repository: { full_name: 'ops/jobs', default_branch: 'main' } });
    const gitlab = (ref: string) => JSON.stringify({ object_kind: 'push', ref, checkout_sha: 'c3', project: { path_with_namespace: 'ops/jobs', default_branch: 'main' } });
    const send = (post: ReturnType<typeof setup>['post'], provider: string, body: string) =>
      provider === 'github'
        ? post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmacHex(SECRET, body)}` }, body)
        : provider === 'gitea'
          ? post({ 'x-gitea-event': 'push', 'x-gitea-signature': hmacHex(SECRET, body) }, body)
          : post({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET }, body);
    const payloads = { github, gitea, gitlab };

    for (const [provider, payload] of Object.entries(payloads)) {
      it(`${provider}: --ref release syncs on refs/heads/release, ignores main and feature branches`, async () => {
        const { events, post } = setup(SECRET, {}, { ref: 'release' });
        for (const other of ['refs/heads/main', 'refs/heads/feature/x', 'refs/heads/release-2']) {
          const res = await send(post, provider, payload(other));
          expect(res.statusCode, other).toBe(202);
          expect(res.json()).toEqual({ accepted: false, reason: `push to ${other} ignored: kairos follows release` });
        }
        expect(events).toEqual([]);
        const res = await send(post, provider, payload('refs/heads/release'));
        expect(res.statusCode).toBe(202);
        expect(res.json()).toMatchObject({ accepted: true, ref: 'refs/heads/release' });
        expect(events.map((e) => e.ref)).toEqual(['refs/heads/release']);
      });

      it(`${provider}: without --ref, only the payload's default branch syncs`, async () => {
        const { events, post } = setup(SECRET, {}, {});
        const ignored = await send(post, provider, payload('refs/heads/dev'));
        expect(ignored.json()).toEqual({ accepted: false, reason: 'push to refs/heads/dev ignored: kairos follows the default branch main' });
        expect((await send(post, provider, payload('refs/heads/main'))).json()).toMatchObject({ accepted: true });
        expect(events.map((e) => [e.provider, e.ref])).toEqual([[provider, 'refs/heads/main']]);
      });
    }

    it('a full ref or a tag name matches exactly; a push naming no ref still syncs', async () => {
      const { events, post } = setup(SECRET, {}, { ref: 'refs/heads/main' });
      expect((await send(post, 'github', github('refs/heads/main'))).json()).toMatchObject({ accepted: true });
      expect((await send(post, 'github', github('refs/tags/main'))).json()).toMatchObject({ accepted: false });
      await app?.close(); // `post` goes to the current app; the next setup replaces it
      const tags = setup(SECRET, {}, { ref: 'v2' });
      expect((await send(tags.post, 'gitlab', gitlab('refs/tags/v2'))).json()).toMatchObject({ accepted: true });
      expect((await send(tags.post, 'gitlab', gitlab('refs/tags/v20'))).json()).toMatchObject({ accepted: false });
      const bare = '{}';
      expect((await tags.post({ 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmacHex(SECRET, bare)}` }, bare)).json()).toMatchObject({ accepted: true });
      expect(events).toHaveLength(1);
      expect(tags.events).toHaveLength(2);
    });
  });

  it('is absent when no trigger is configured', async () => {
    app = makeApi().app;
    expect((await app.inject({ method: 'POST', url: '/v1/webhook', payload: push, headers: { 'content-type': 'application/json' } })).statusCode).toBe(404);
  });
});

describe('webhook rate limit and Expect: 100-continue', () => {
  it("forged requests from the sender's address do not use up the signed budget", async () => {
    const { events } = setup(SECRET, { rateLimit: { perMinute: 6, burst: 3 } });
    const post = (sig: string) => app!.inject({ method: 'POST', url: '/v1/webhook', payload: push, remoteAddress: '10.0.0.1', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sig } });
    const forged = [];
    for (let i = 0; i < 10; i++) forged.push((await post(`sha256=${hmacHex('guess', push)}`)).statusCode);
    expect(forged.slice(0, 3)).toEqual([401, 401, 401]);
    expect(forged.slice(3)).toEqual(Array(7).fill(429));
    expect((await post(`sha256=${hmacHex(SECRET, push)}`)).statusCode).toBe(202);
    expect(events).toHaveLength(1);
  });

  it('answers 413 without asking for an oversized body, and 100 for one within the limit', async () => {
    setup(SECRET);
    await app!.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app!.server.address() as AddressInfo).port}`;
    const ask = (path: string, length: number) => headersOnly(`${base}${path}`, { 'content-type': 'application/json', 'content-length': String(length), expect: '100-continue' });
    expect(await ask('/v1/webhook', 50 * 1024 * 1024)).toBe(413);
    expect(await ask('/v1/jobs/nightly/runs', 1024 * 1024)).toBe(413);
    expect(await ask('/v1/webhook', 100)).toBe('continue');
  });
});
