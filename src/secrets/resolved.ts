/** The set of secret values a provider handed out, kept in memory only for masking. */
export class ResolvedValues {
  private readonly set = new Set<string>();

  /** Remembers `value` and returns it. */
  add(value: string): string {
    this.set.add(value);
    return value;
  }

  /** Every value handed out so far. */
  values(): Iterable<string> {
    return this.set.values();
  }
}
