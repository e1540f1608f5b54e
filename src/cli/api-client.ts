/**
 * The CLI's side of the controller API: `kairos status`, `kairos run` (and any command that
 * talks to a running controller) send JSON requests through here. API errors
 * (`{ error: { code, message } }`, src/api/errors.ts) become KairosErrors, so the CLI prints
 * `kairos: <message>` and exits 1 rather than showing a stack trace.
 */
import type { Command } from 'commander';
import { KairosError, messageOf, type ErrorCode } from '../core/errors.js';

/** Where the controller listens unless told otherwise (`kairos serve --listen` default). */
export const DEFAULT_SERVER = 'http://127.0.0.1:4400';

/** Connection options every API-backed command shares. */
export interface ServerFlags {
  server?: string;
  token?: string;
}

/** Adds `--server URL` and `--token TOKEN` (env KAIROS_SERVER, KAIROS_TOKEN) to a command. */
export function addServerOptions(cmd: Command): Command {
  return cmd
    .option('--server <url>', `controller API (env KAIROS_SERVER; default ${DEFAULT_SERVER})`)
    .option('--token <token>', 'bearer token for the API (env KAIROS_TOKEN)');
}

/** A small JSON client for one controller. */
export class ApiClient {
  readonly base: string;
  private readonly token?: string;

  constructor(flags: ServerFlags, env: Record<string, string | undefined> = process.env) {
    this.base = (flags.server ?? env.KAIROS_SERVER ?? DEFAULT_SERVER).replace(/\/+$/, '');
    this.token = flags.token ?? env.KAIROS_TOKEN;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new KairosError('E_UNAVAILABLE', `cannot reach the controller at ${this.base}: ${messageOf((err as Error).cause ?? err)}`);
    }
    const json = parseJson(await res.text());
    if (!res.ok) {
      const e = (json as { error?: { message?: unknown } } | undefined)?.error;
      const message = typeof e?.message === 'string' ? e.message : `${method} ${path}: HTTP ${res.status}${json === NOT_JSON ? ` from ${this.base}` : ''}`;
      throw new KairosError(codeOf(res.status), message);
    }
    if (json === NOT_JSON) {
      throw new KairosError('E_UNAVAILABLE', `${method} ${path}: ${this.base} answered something that is not JSON; is it a Kairos controller (--server)?`);
    }
    return json as T;
  }
}

/** Marks a body that is not JSON (an HTML page from a proxy, another service on that port). */
const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

function codeOf(status: number): ErrorCode {
  if (status === 404) return 'E_NOT_FOUND';
  if (status === 409) return 'E_CONFLICT';
  if (status === 503) return 'E_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'E_INVALID';
  return 'E_INTERNAL';
}
