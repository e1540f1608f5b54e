/**
 * ZooKeeper errors as Kairos sees them: the codes callers branch on, and one error class
 * whose Kairos code says whether the outcome is unknown (connection lost, session expired:
 * E_UNAVAILABLE, retried by callers) or a plain failure.
 */
import zookeeper from 'node-zookeeper-client';
import { KairosError } from '../core/errors.js';

const { Exception } = zookeeper;

/** ZooKeeper error codes callers branch on (ZooKeeper's KeeperException.Code). */
export const ZK = {
  NO_NODE: Exception.NO_NODE,
  NODE_EXISTS: Exception.NODE_EXISTS,
  BAD_VERSION: Exception.BAD_VERSION,
  NOT_EMPTY: Exception.NOT_EMPTY,
  NO_AUTH: Exception.NO_AUTH,
} as const;

/** Codes whose outcome is unknown: the caller may retry. */
export const UNAVAILABLE = new Set([Exception.CONNECTION_LOSS, Exception.SESSION_EXPIRED, Exception.OPERATION_TIMEOUT, Exception.AUTH_FAILED]);

/** A failed ZooKeeper call; `zkCode` is ZooKeeper's code, `index` the failing op of a multi. */
export class ZkError extends KairosError {
  constructor(
    readonly zkCode: number,
    message: string,
    readonly index?: number,
  ) {
    super(UNAVAILABLE.has(zkCode) ? 'E_UNAVAILABLE' : 'E_INTERNAL', message);
    this.name = 'ZkError';
  }
}

/** ZooKeeper's numeric code of a library error (SYSTEM_ERROR when it has none). */
export function codeOf(err: unknown): number {
  const c = (err as { getCode?: () => number; code?: number })?.getCode?.() ?? (err as { code?: number })?.code;
  return typeof c === 'number' ? c : Exception.SYSTEM_ERROR;
}

/** ZooKeeper's name of a library error, or its message. */
export function nameOf(err: unknown): string {
  return (err as { getName?: () => string })?.getName?.() ?? (err as Error)?.message ?? String(err);
}
