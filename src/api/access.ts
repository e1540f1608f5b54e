/**
 * Access control: bearer tokens with roles, loaded from a config file, and the start-up
 * check that refuses to expose an unauthenticated API beyond loopback.
 *
 * Token file (YAML or JSON), documented in README "API, UI and access control":
 *
 *     tokens:
 *       - name: alice          # who; appears in logs, never the token itself
 *         role: admin          # viewer | operator | admin
 *         token: "s3cr3t..."   # literal, or
 *       - name: ci
 *         role: operator
 *         tokenEnv: KAIROS_CI_TOKEN    # read from the environment, or
 *       - name: grafana
 *         role: viewer
 *         tokenFile: /run/secrets/grafana-token   # first line of a file
 *
 * Tokens are kept only as SHA-256 digests and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { KairosError, ManifestError } from '../core/errors.js';
import { parseFile } from '../manifests/yaml.js';

/** Roles, each including the ones before it. */
export type Role = 'viewer' | 'operator' | 'admin';

const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

/** True when `has` includes everything `needs` may do. */
export function roleAllows(has: Role, needs: Role): boolean {
  return rank[has] >= rank[needs];
}

/** Who made a request, once authenticated. `anonymous` when access control is off. */
export interface Principal {
  name: string;
  role: Role;
}

/** Compiled access configuration: token digests by principal. */
export interface AccessConfig {
  tokens: { name: string; role: Role; digest: Buffer }[];
  /**
   * The plain tokens, in memory only, so that every one of them is masked for every caller
   * (a viewer must not read an admin's token in a run's log); never used to authenticate.
   */
  mask: readonly string[];
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** Builds an AccessConfig from plain (already resolved) tokens; for tests and the loader. */
export function accessConfig(tokens: { name: string; role: Role; token: string }[]): AccessConfig {
  const config = { tokens: tokens.map((t) => ({ name: t.name, role: t.role, digest: digest(t.token) })) };
  // Not enumerable: a serialized or logged config still shows no token.
  return Object.defineProperty(config, 'mask', { value: tokens.map((t) => t.token), enumerable: false }) as AccessConfig;
}

/** The principal owning `token`, or undefined. Constant time in the token's content. */
export function authenticate(access: AccessConfig, token: string): Principal | undefined {
  const d = digest(token);
  let found: Principal | undefined;
  for (const t of access.tokens) if (timingSafeEqual(t.digest, d)) found ??= { name: t.name, role: t.role };
  return found;
}

/** Reads the bearer token out of an `Authorization` header value. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/**
 * Loads and validates a token file. Problems name file:line:column and the field, and
 * are reported all together. `env` and `readFile` are injectable for tests.
 */
export function loadAccessConfig(
  file: string,
  io: { readFile?: (p: string) => string; env?: Record<string, string | undefined> } = {},
): AccessConfig {
  const readFile = io.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const env = io.env ?? process.env;
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new KairosError('E_INVALID', `cannot read token file ${file}`, { cause: err });
  }
  const { docs, problems } = parseFile(file, Buffer.from(text));
  if (problems.length) throw new ManifestError(problems); // positions and js-yaml's reason only: never a quoted line (it may be a token)
  const doc = docs[0];
  const at = (where: { line: number; column: number }, path: string, message: string) => problems.push({ file, ...where, path, message });
  const root = doc?.value as { tokens?: unknown } | null | undefined;
  const list = root?.tokens;
  if (!Array.isArray(list) || list.length === 0 || docs.length > 1) {
    at(doc?.locate([]) ?? { line: 1, column: 1 }, 'tokens', 'must be a non-empty list of {name, role, token|tokenEnv|tokenFile}');
    throw new ManifestError(problems);
  }
  const out: { name: string; role: Role; token: string }[] = [];
  list.forEach((raw: Record<string, unknown>, i) => {
    const path = `tokens.${i}`;
    const where = doc.locate(['tokens', i]);
    if (typeof raw !== 'object' || raw === null) return at(where, path, 'must be a mapping');
    const name = raw.name;
    const role = raw.role;
    if (typeof name !== 'string' || !/^[\w.@-]+$/.test(name)) at(where, `${path}.name`, 'must be a word ([A-Za-z0-9_.@-])');
    if (role !== 'viewer' && role !== 'operator' && role !== 'admin') at(where, `${path}.role`, 'must be viewer, operator or admin');
    const sources = ['token', 'tokenEnv', 'tokenFile'].filter((k) => raw[k] !== undefined);
    if (sources.length !== 1) return at(where, path, 'needs exactly one of token, tokenEnv, tokenFile');
    let token: string | undefined;
    if (typeof raw.token === 'string') token = raw.token;
    else if (typeof raw.tokenEnv === 'string') {
      token = env[raw.tokenEnv];
      if (!token) return at(where, `${path}.tokenEnv`, `environment variable ${raw.tokenEnv} is not set`);
    } else if (typeof raw.tokenFile === 'string') {
      try {
        token = readFile(raw.tokenFile).split('\n')[0].trim();
      } catch {
        return at(where, `${path}.tokenFile`, `cannot read ${raw.tokenFile}`);
      }
    }
    if (!token || token.length < 16) return at(where, `${path}.${sources[0]}`, 'token must be at least 16 characters');
    if (out.some((t) => t.token === token)) return at(where, path, 'token is used twice');
    if (typeof name === 'string' && typeof role === 'string') out.push({ name, role: role as Role, token });
  });
  if (problems.length) throw new ManifestError(problems);
  return accessConfig(out);
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return isLoopbackHost(h.slice(7));
  return h === '::1';
}

/**
 * Refuses to start an API on a non-loopback address without tokens: anybody on the
 * network could otherwise run and kill jobs. `kairos serve` calls this before listening.
 */
export function checkListenSafety(host: string, access: AccessConfig | undefined): void {
  if (isLoopbackHost(host)) return;
  if (!access || access.tokens.length === 0) {
    throw new KairosError(
      'E_INVALID',
      `refusing to listen on ${host} without access tokens: pass --tokens FILE (see README "API, UI and access control") or listen on 127.0.0.1`,
    );
  }
}
