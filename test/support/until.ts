/** Polls a condition in real time (for tests over real sockets and servers, not the fake clock). */

/** Resolves once `ok()` holds; rejects naming `what` if it does not within `withinMs`. */
export async function until(what: string, ok: () => boolean, withinMs: number): Promise<void> {
  const by = Date.now() + withinMs;
  while (!ok()) {
    if (Date.now() > by) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
