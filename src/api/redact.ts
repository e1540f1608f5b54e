/**
 * Last line of defence for secrets: any known secret value (a resolved `secrets` env
 * value, a token) found in a response body is replaced by `***`. The controller never
 * puts secret values in the view on purpose; this catches the accidents (a task printing
 * its environment to stdout, an error message quoting a value).
 */

/** Values shorter than this are not masked: masking `1` or `yes` would garble everything. */
const MIN_SECRET_LENGTH = 6;

/** The mask that replaces a secret value. */
export const MASK = '***';

/**
 * Returns `payload` with every occurrence of each secret replaced by `***`. Only string
 * and Buffer payloads are inspected (streams pass through); JSON-escaped forms of a secret
 * are masked too.
 */
export function maskSecrets<T>(payload: T, secrets: Iterable<string>): T | string {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  let text = typeof payload === 'string' ? payload : payload.toString('utf8');
  let changed = false;
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) {
      if (text.includes(form)) {
        text = text.split(form).join(MASK);
        changed = true;
      }
    }
  }
  return changed ? text : payload;
}
