/**
 * The Logger port: structured, levelled, one line per event. Secrets never go in `fields`
 * (the API and logs print env names, never secret values).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line (e.g. `{ component: 'mesos' }`). */
  child(fields: Record<string, unknown>): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing `time level msg key=value...` lines to a stream. */
export function streamLogger(
  write: (line: string) => void,
  opts: { level?: LogLevel; now?: () => number; base?: Record<string, unknown> } = {},
): Logger {
  const min = order[opts.level ?? 'info'];
  const now = opts.now ?? Date.now;
  const base = opts.base ?? {};
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    const kv = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    write(`${new Date(now()).toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${kv ? ' ' + kv : ''}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => streamLogger(write, { ...opts, base: { ...base, ...fields } }),
  };
}

/** Discards everything; for tests that do not look at logs. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
