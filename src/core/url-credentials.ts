/**
 * Source URLs may carry credentials (`https://deploy:TOKEN@host/repo.git`, git's usual way to
 * pass a deploy token). They must never be shown: not in `/v1/sync` or `/v1/plan`, not in a
 * "sync failed" log line (git quotes the URL in its errors), not in the store.
 */

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@'"`<>]*@/gi;

/** `text` with the user and password of every `scheme://user:pass@host` URL removed. */
export function stripUrlCredentials(text: string): string {
  return text.replace(USERINFO, '$1');
}

const USERINFO_PARTS = /\b[a-z][a-z0-9+.-]*:\/\/([^/\s@'"`<>:]*)(?::([^/\s@'"`<>]*))?@/gi;

/**
 * The secrets in `scheme://user:password@host` URLs of `text`: each password, decoded as
 * well as written (`%40` and `@`), so they can be masked wherever they would be quoted.
 * A bare `user@` (git's `deploy-token@` form) counts as a secret too.
 */
export function urlCredentials(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(USERINFO_PARTS)) {
    const secret = m[2] ?? m[1];
    if (!secret) continue;
    out.add(secret);
    try {
      out.add(decodeURIComponent(secret));
    } catch {
      // not percent-encoded text: the written form is enough
    }
  }
  return [...out];
}
