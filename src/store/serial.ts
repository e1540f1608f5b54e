/**
 * Runs async sections one at a time, in call order. The file store uses it so concurrent
 * writers in one process read-check-write without interleaving (a lost compare-and-set
 * then fails cleanly with ConflictError instead of overwriting).
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every section queued before it has settled. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
