/**
 * Errors carry a stable code, a human reason and an optional cause. The code decides
 * how the caller reacts (retry, report, exit status); the reason is what a person reads.
 * Modelled on fluxcd/source-controller's internal/error and fastify's lib/errors.
 */

/** Stable error codes. Add new ones; never rename one that has shipped. */
export type ErrorCode =
  | 'E_MANIFEST' // manifests failed validation (see `problems`)
  | 'E_SOURCE' // the source (directory or git) could not be read
  | 'E_CONFLICT' // a compare-and-set lost the race: the value changed underneath
  | 'E_FENCED' // this process is no longer the leader; writes are refused
  | 'E_NOT_FOUND'
  | 'E_INVALID' // a request or argument is malformed
  | 'E_SCHEDULE' // a schedule expression or time zone does not parse
  | 'E_MESOS' // the Mesos master refused or failed a call
  | 'E_UNAVAILABLE' // a dependency (ZooKeeper, master) is not reachable right now
  | 'E_MASS_PRUNE' // a plan would prune more than the safety limit allows
  | 'E_REWIND' // the source moved to a commit that does not descend from the applied one
  | 'E_INTERNAL';

/** Whether an error of this code may succeed if the same operation is retried later. */
export function isRetryable(code: ErrorCode): boolean {
  return code === 'E_CONFLICT' || code === 'E_UNAVAILABLE' || code === 'E_MESOS' || code === 'E_SOURCE';
}

/** The base error of Kairos: everything thrown on purpose is one of these. */
export class KairosError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.code = code;
    this.name = 'KairosError';
  }
}

/**
 * One problem found in user input (a manifest, a flag). `file:line:column` locate it,
 * `path` is the field path inside the document (e.g. `spec.resources.cpus`).
 */
export interface Problem {
  file: string;
  line: number;
  column: number;
  /** Field path in the document, dot-separated; '' for the document itself. */
  path: string;
  message: string;
}

/** Formats a problem the way compilers do, so editors can jump to it. */
export function formatProblem(p: Problem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** All problems of one validation run, reported together rather than one by one. */
export class ManifestError extends KairosError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super('E_MANIFEST', `${problems.length} problem(s) in manifests:\n${problems.map(formatProblem).join('\n')}`);
    this.problems = problems;
    this.name = 'ManifestError';
  }
}

/** A compare-and-set lost the race. The caller re-reads and decides again. */
export class ConflictError extends KairosError {
  constructor(key: string, expected: number, actual: number | undefined) {
    super('E_CONFLICT', `write to ${key} expected version ${expected} but found ${actual ?? 'none'}`);
    this.name = 'ConflictError';
  }
}

/** A deposed leader tried to write. Nothing was written. */
export class FencedError extends KairosError {
  constructor(reason: string) {
    super('E_FENCED', reason);
    this.name = 'FencedError';
  }
}

/** A short message for any thrown value, never a stack trace. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
