/**
 * Push webhooks from GitHub, Gitea and GitLab: verify, then tell the controller to sync.
 * The payload is only a hint ("look again", as in controller-runtime's level-based reconcile): the sync reads the source
 * itself, so a forged payload can at most cause an extra sync, and even that is refused
 * when a secret is configured and the signature does not match.
 *
 * Verification, per provider:
 * - GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`
 *   (docs.github.com "Validating webhook deliveries").
 * - Gitea/Forgejo: `X-Gitea-Signature: <hex HMAC-SHA256(secret, raw body)>`
 *   (also sends X-Hub-Signature-256, accepted too).
 * - GitLab: `X-Gitlab-Token: <secret>` compared in constant time (GitLab's "secret
 *   token"; it does not sign bodies).
 *
 * Only a push to the ref the controller follows triggers a sync (`pushTargetsRef`): a
 * push to another branch is acknowledged and ignored. All three providers send the pushed
 * ref as `ref: refs/heads/<branch>` (or `refs/tags/<tag>`) and the repository's default
 * branch as `repository.default_branch` (GitHub, Gitea) or `project.default_branch` (GitLab).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors.js';

/** What a verified webhook tells the controller. */
export interface WebhookEvent {
  provider: 'github' | 'gitea' | 'gitlab' | 'generic';
  /** Provider event name, e.g. `push`, `ping`, `Push Hook`. */
  event: string;
  /** Pushed ref, e.g. `refs/heads/main`. */
  ref?: string;
  /** Commit after the push. */
  after?: string;
  /** Repository full name or URL, for the log. */
  repository?: string;
  /** The repository's default branch, when the payload names it (e.g. `main`). */
  defaultBranch?: string;
}

type Headers = Record<string, string | string[] | undefined>;

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Hex HMAC-SHA256 of `body` under `secret`. */
export function hmacHex(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function providerOf(h: Headers): WebhookEvent['provider'] {
  if (header(h, 'x-gitea-event') || header(h, 'x-forgejo-event')) return 'gitea';
  if (header(h, 'x-gitlab-event')) return 'gitlab';
  if (header(h, 'x-github-event')) return 'github';
  return 'generic';
}

/** Throws 401 unless the request proves knowledge of `secret` in its provider's way. */
export function verifyWebhook(h: Headers, raw: Buffer, secret: string): void {
  const gitlab = header(h, 'x-gitlab-token');
  if (gitlab !== undefined) {
    if (safeEqual(gitlab, secret)) return;
    throw new HttpError(401, 'E_SIGNATURE', 'webhook token does not match');
  }
  const expected = hmacHex(secret, raw);
  const hub = header(h, 'x-hub-signature-256');
  const gitea = header(h, 'x-gitea-signature') ?? header(h, 'x-forgejo-signature');
  const given = hub !== undefined ? hub.replace(/^sha256=/, '') : gitea;
  if (given === undefined) throw new HttpError(401, 'E_SIGNATURE', 'webhook is not signed (X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token expected)');
  if (!safeEqual(given.toLowerCase(), expected)) throw new HttpError(401, 'E_SIGNATURE', 'webhook signature does not match');
}

/**
 * Parses the (already verified) payload. JSON bodies, and GitHub's form encoding
 * (`payload=<url-encoded JSON>`), are understood; fields that are missing stay undefined.
 */
export function parseWebhook(h: Headers, raw: Buffer): WebhookEvent {
  const provider = providerOf(h);
  const event = header(h, 'x-github-event') ?? header(h, 'x-gitea-event') ?? header(h, 'x-forgejo-event') ?? header(h, 'x-gitlab-event') ?? 'push';
  let text = raw.toString('utf8');
  if ((header(h, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    text = new URLSearchParams(text).get('payload') ?? '';
  }
  let body: Record<string, unknown> = {};
  if (text.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'E_INVALID', 'webhook body is not JSON');
    }
  }
  const repo = (body.repository ?? body.project) as Record<string, unknown> | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    provider,
    event,
    ref: str(body.ref),
    after: str(body.after) ?? str(body.checkout_sha),
    repository: str(repo?.full_name) ?? str(repo?.path_with_namespace) ?? str(repo?.clone_url),
    defaultBranch: str(repo?.default_branch),
  };
}

/** True for events that mean "the repository may have changed" (push, tag push). */
export function isPushEvent(e: WebhookEvent): boolean {
  return /^(push|Push Hook|Tag Push Hook)$/i.test(e.event);
}

/**
 * Whether a push event moved the ref the controller follows. `followed` is the configured
 * ref as given to `--ref` (`main`, `refs/heads/main`, a tag), or undefined for the
 * repository's default branch (then a payload without `default_branch` is trusted). A push
 * that names no ref (a generic hook) is a plain "look again" and always counts.
 */
export function pushTargetsRef(e: WebhookEvent, followed: string | undefined): boolean {
  if (e.ref === undefined) return true;
  if (followed === undefined) return e.defaultBranch === undefined || e.ref === `refs/heads/${e.defaultBranch}`;
  if (followed.startsWith('refs/')) return e.ref === followed;
  return e.ref === `refs/heads/${followed}` || e.ref === `refs/tags/${followed}`;
}
