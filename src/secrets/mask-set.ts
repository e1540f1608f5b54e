/**
 * Every value that must never be shown, whoever asks: configured API tokens (all of them,
 * not only the caller's), the webhook secret, credentials in the source/store/Mesos URLs,
 * the embedded master's framework secret, values resolved for jobs' `secrets:` and for
 * notifications, and secret run overrides. The API masks them in every response body and
 * log slice, and the log sink in every line (src/api/redact.ts). Kept in memory only.
 */

/** A growing set of values to mask, fed by fixed values and live sources. */
export class MaskSet {
  private readonly fixed = new Set<string>();
  private readonly sources: (() => Iterable<string>)[] = [];

  /** Adds values known now (a token, a password); empty strings are ignored. */
  add(...values: (string | undefined)[]): this {
    for (const v of values) if (v) this.fixed.add(v);
    return this;
  }

  /** Adds a source read at every masking (values resolved later, e.g. at launch). */
  from(source: () => Iterable<string>): this {
    this.sources.push(source);
    return this;
  }

  /** Every value to mask right now (maskSecrets orders the ones it finds, longest first). */
  values(): string[] {
    const all = new Set(this.fixed);
    for (const s of this.sources) for (const v of s()) if (v) all.add(v);
    return [...all];
  }
}
