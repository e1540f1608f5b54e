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
