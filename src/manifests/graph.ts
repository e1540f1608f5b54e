/**
 * Cycle finding for dependency graphs (Chronos parents between jobs, dependsOn between a
 * DAG's tasks). Deterministic: nodes are visited in the order given, so the same
 * manifests always name the same cycle the same way.
 */

/**
 * Every cycle reachable by depth-first search, each as the list of nodes on it starting
 * from the node where the search entered it (`[a, b, c]` for a → b → c → a). Edges to
 * nodes not in `edges` are ignored (missing dependencies are reported elsewhere).
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  // Iterative DFS (a chain of 100,000 parents must not overflow the call stack).
  for (const root of edges.keys()) {
    if (state.has(root)) continue;
    const stack: { node: string; next: number }[] = [{ node: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const out = edges.get(top.node) ?? [];
      if (top.next >= out.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const m = out[top.next++];
      if (!edges.has(m)) continue;
      const s = state.get(m);
      if (s === 'open') cycles.push(stack.slice(stack.findIndex((f) => f.node === m)).map((f) => f.node));
      else if (s === undefined) {
        state.set(m, 'open');
        stack.push({ node: m, next: 0 });
      }
    }
  }
  return cycles;
}

/** `a → b → c → a` */
export function describeCycle(cycle: readonly string[]): string {
  return [...cycle, cycle[0]].join(' → ');
}
