/**
 * A one-shot gate for holding an async hook in a test: the code under test calls `pass()`,
 * which marks `reached` and blocks until the test calls `open()`. Used to freeze the
 * framework inside persistLaunch while a fault (rescind, stream drop, stop) happens.
 */
export interface Gate {
  /** Resolves when the code under test reached the gate. */
  reached: Promise<void>;
  /** Called by the code under test: waits until the gate is opened. */
  pass(): Promise<void>;
  /** Lets everything waiting at the gate continue. */
  open(): void;
}

export function gate(): Gate {
  let arrive!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (open = r));
  return {
    reached,
    pass: () => {
      arrive();
      return opened;
    },
    open,
  };
}

/** A hook that is held at `g` on its first call and passes straight through afterwards. */
export function holdFirstCall(g: Gate): () => Promise<void> {
  let calls = 0;
  return async () => {
    if (++calls === 1) await g.pass();
  };
}
