/**
 * Where Kairos keeps things in ZooKeeper and how it encodes them (README "High
 * availability" shows the same layout):
 *
 *     <root>/data/<collection>/<escaped id>   one Store key; data = value encoding below
 *     <root>/leader/c_<sequence>               election candidates (ephemeral sequential)
 *     <root>/epoch                             {"epoch":n,"leader":url}; its znode version fences writes
 *     <root>/changes                           empty; every write bumps its version, followers watch it
 *
 * Znode names cannot hold `/`, be `.` or `..`, or carry some Unicode ranges (ZooKeeper
 * Programmer's Guide, "ZNodes"), so names are percent-encoded (UTF-8) outside a safe set.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { KairosError } from '../core/errors.js';

/** Values at or above this many JSON bytes are stored deflated when that is smaller. */
export const COMPRESS_FROM_BYTES = 1024;
/** Marker byte of a deflated value; JSON text never starts with NUL. */
const DEFLATED = 0x00;

/** The parts of `zk://[user:password@]host:port[,host:port]/path[?sessionTimeoutMs=N]`. */
export interface ZkUrl {
  servers: string;
  root: string;
  /** `user:password` for ZooKeeper's digest scheme, when given. */
  auth?: string;
  /** Requested session timeout, when given (it bounds how fast a dead leader is replaced). */
  sessionTimeoutMs?: number;
}

/** Parses a `--store`/`--mesos` ZooKeeper URL; E_INVALID names what is wrong. */
export function parseZkUrl(url: string): ZkUrl {
  const m = /^zk:\/\/(?:([^@/]+)@)?([^/@]+)(\/[^?#]*)(?:\?sessionTimeoutMs=(\d+))?$/.exec(url);
  const root = m?.[3].replace(/\/+$/, '');
  if (!m || !root || !m[2].split(',').every((h) => /^[^:,\s]+:\d+$/.test(h))) {
    throw new KairosError(
      'E_INVALID',
      `ZooKeeper URL ${JSON.stringify(redactZkUrl(url))} must look like zk://[user:password@]host:port[,host:port]/path[?sessionTimeoutMs=N]`,
    );
  }
  return { servers: m[2], root, auth: m[1] ? decodeURIComponent(m[1]) : undefined, sessionTimeoutMs: m[4] ? Number(m[4]) : undefined };
}

/** The URL with any password replaced, for logs and errors. */
export function redactZkUrl(url: string): string {
  return url.replace(/^(zk:\/\/[^:@/]+):[^@/]*@/, '$1:***@');
}

/** Paths of one Kairos installation under `root`. */
export function zkPaths(root: string) {
  return {
    data: `${root}/data`,
    collection: (c: string) => `${root}/data/${escapeName(c)}`,
    key: (collection: string, id: string) => `${root}/data/${escapeName(collection)}/${escapeName(id)}`,
    leader: `${root}/leader`,
    epoch: `${root}/epoch`,
    changes: `${root}/changes`,
  };
}

/** Percent-encodes a string into a legal, reversible znode name. */
export function escapeName(s: string): string {
  if (s === '.' || s === '..') return s.replace(/\./g, '%2E');
  return s.replace(/[^A-Za-z0-9@:._~,+=-]/gu, (ch) =>
    Array.from(Buffer.from(ch, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

/** Reverses `escapeName`. */
export function unescapeName(name: string): string {
  return decodeURIComponent(name);
}

/** JSON text to znode data: deflated (with a marker byte) when large and worth it. */
export function encodeData(json: string): Buffer {
  const raw = Buffer.from(json, 'utf8');
  if (raw.length < COMPRESS_FROM_BYTES) return raw;
  const packed = deflateRawSync(raw);
  return packed.length + 1 < raw.length ? Buffer.concat([Buffer.of(DEFLATED), packed]) : raw;
}

/** Znode data back to JSON text. */
export function decodeData(data: Buffer): string {
  return data[0] === DEFLATED ? inflateRawSync(data.subarray(1)).toString('utf8') : data.toString('utf8');
}
