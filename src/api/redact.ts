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
  const found = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    for (const form of [s, JSON.stringify(s).slice(1, -1)]) if (text.includes(form)) found.add(form);
  }
  if (found.size === 0) return payload;
  // Longest first: a secret inside a longer one must not leave the longer one's rest visible.
  for (const form of [...found].sort((a, b) => b.length - a.length)) text = text.split(form).join(MASK);
  return text;
}

/** How many characters either side of a slice `maskAcross` needs to see every overlapping secret. */
export function maskContext(secrets: Iterable<string>): number {
  let n = 0;
  for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) n = Math.max(n, Buffer.byteLength(s) - 1);
  return n;
}

/**
 * Masks `data`, a slice of a longer text, as a whole-text masking would: each run of
 * characters of `data` inside occurrences of secrets in `before + data + after` becomes
 * `***`, also when the occurrence starts before the slice or ends after it. So paging through
 * a log with offset/length cannot read a secret in pieces; `before`/`after` must hold at least
 * `maskContext(secrets)` characters of the text around the slice (where it has them).
 */
export function maskAcross(before: string, data: string, after: string, secrets: Iterable<string>): string {
  const text = before + data + after;
  const start = before.length;
  const end = start + data.length;
  const hidden = new Array<boolean>(data.length).fill(false);
  let any = false;
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    for (let i = text.indexOf(s); i !== -1; i = text.indexOf(s, i + 1)) {
      for (let j = Math.max(i, start); j < Math.min(i + s.length, end); j++) {
        hidden[j - start] = true;
        any = true;
      }
    }
  }
  if (!any) return data;
  let out = '';
  for (let i = 0; i < data.length; i++) {
    if (!hidden[i]) out += data[i];
    else if (i === 0 || !hidden[i - 1]) out += MASK;
  }
  return out;
}
