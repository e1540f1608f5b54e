/**
 * The `--notify-config FILE` (YAML or JSON, schemas/notify.schema.json `#/$defs/config`):
 * rules that apply to every job, the SMTP server for e-mail targets, delivery limits.
 * Read once at start; a bad file stops the controller with file:line:column and field.
 */
import { readFileSync } from 'node:fs';
import { ManifestError } from '../core/errors.js';
import type { NotifyRule, StringOrSecret } from '../core/types.js';
import { validateWith } from '../manifests/schema.js';
import { parseFile } from '../manifests/yaml.js';

/** The SMTP server e-mail targets go through (nodemailer's SMTP transport). */
export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds. */
  requireTLS: boolean;
  user?: StringOrSecret;
  password?: StringOrSecret;
  /** PEM file of a CA to trust for the server's certificate (a private CA). */
  caFile?: string;
  from: string;
}

/** Controller-wide notification settings. */
export interface NotifyConfig {
  /** Rules applied to every job and DAG, besides their own `spec.notify`. */
  defaults: NotifyRule[];
  smtp?: SmtpConfig;
  /** Most notifications kept waiting or failed in the store (the outbox bound). */
  maxOutbox: number;
  /** Deliveries tried per notification before it is marked failed. */
  maxAttempts: number;
}

/** Settings when no file is given: no default rules, no SMTP. */
export const DEFAULT_NOTIFY_CONFIG: NotifyConfig = { defaults: [], maxOutbox: 1000, maxAttempts: 8 };

/** Reads and validates the file; throws a ManifestError listing every problem. */
export function readNotifyConfig(file: string): NotifyConfig {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (err) {
    throw new ManifestError([{ file, line: 1, column: 1, path: '', message: `cannot read the notify config: ${(err as Error).message}` }]);
  }
  const { docs, problems } = parseFile(file, content);
  if (problems.length) throw new ManifestError(problems);
  if (docs.length !== 1) throw new ManifestError([{ file, line: 1, column: 1, path: '', message: 'expected exactly one YAML document' }]);
  const doc = docs[0];
  const found = validateWith(doc, 'NotifyConfig');
  if (found.length) throw new ManifestError(found);
  const v = doc.value as Partial<NotifyConfig>;
  return { ...DEFAULT_NOTIFY_CONFIG, ...v, defaults: v.defaults ?? [] };
}
