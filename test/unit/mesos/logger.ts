/** A Logger for unit tests that keeps `level message` lines, to judge what a handler reported. */
import type { Logger } from '../../../src/ports/logger.js';

/** Collects log lines as `warn: message` strings (fields dropped). */
export function recordingLogger(lines: string[]): Logger {
  const log: Logger = {
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
    child: () => log,
  };
  return log;
}
