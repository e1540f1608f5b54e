/**
 * The vocabulary of `kairos import`: what a mapper makes of one foreign job (a Kairos Job
 * manifest plus what could not be carried over), and a strict reader of foreign JSON that
 * names the job and the field in every error. Mappers (./chronos.ts, ./metronome.ts) are
 * pure: JSON in, drafts out; ./names.ts then renames, ./writer.ts writes.
 */
import { KairosError } from '../core/errors.js';

/** A Kairos Job manifest as plain data (schemas/job.schema.json); defaults left to the loader. */
export interface JobManifest {
  apiVersion: 'kairos/v1';
  kind: 'Job';
  metadata: { name: string; owner?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** One foreign job translated, before names are normalised. */
export interface Draft {
  /** The job's name in the foreign system (Chronos `name`, Metronome `id`). */
  original: string;
  /** Original names of the jobs this one runs after (renamed together with the jobs). */
  after: string[];
  manifest: JobManifest;
  /** Fields whose content Kairos does not keep, each with the reason. */
  lost: string[];
  /** Things kept but changed in meaning or form, worth a look. */
  warnings: string[];
}

/** Which system a list came from. */
export type ImportSystem = 'chronos' | 'metronome';

/** An input problem, naming the job and the field: `chronos job "etl": cpus: expected a number`. */
export function badField(system: ImportSystem, job: string, field: string, message: string): never {
  throw new KairosError('E_INVALID', `${system} job ${JSON.stringify(job)}: ${field}: ${message}`);
}

/** Parses the raw input as a JSON array of objects, with errors that say what was expected. */
export function parseJobList(system: ImportSystem, text: string, from: string): Record<string, unknown>[] {
  const endpoint = system === 'chronos' ? 'GET /v1/scheduler/jobs' : 'GET /v1/jobs?embed=schedules';
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new KairosError('E_INVALID', `${from}: not JSON (${(err as Error).message}); expected the job list ${endpoint} returns`);
  }
  if (!Array.isArray(data)) throw new KairosError('E_INVALID', `${from}: not a job list: expected a JSON array as ${endpoint} returns, got ${typeName(data)}`);
  data.forEach((j, i) => {
    if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new KairosError('E_INVALID', `${from}: item ${i}: expected a job object, got ${typeName(j)}`);
  });
  return data as Record<string, unknown>[];
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Typed, strict access to one foreign job object. Every read marks the key as consumed, so
 * `unread()` lists what the mapper did not look at (reported as lost, never silently).
 */
export class JobReader {
  private readonly read = new Set<string>();

  constructor(
    readonly system: ImportSystem,
    readonly name: string,
    private readonly obj: Record<string, unknown>,
    private readonly prefix = '',
  ) {}

  /** Raises an input error for `field` of this job. */
  fail(field: string, message: string): never {
    return badField(this.system, this.name, this.prefix + field, message);
  }

  /** The raw value, marking it read; null counts as absent. */
  raw(key: string): unknown {
    this.read.add(key);
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(key, `expected a string, got ${typeName(v)}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(key, `expected true or false, got ${typeName(v)}`);
    return v;
  }

  /** A number, or a string holding one (Chronos accepts `"cpus": "0.5"`). */
  num(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) this.fail(key, `expected a number, got ${typeName(v)}`);
    return n;
  }

  list(key: string): unknown[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(key, `expected a list, got ${typeName(v)}`);
    return v;
  }

  /** A nested object, read through its own reader whose errors name `key.field`. */
  sub(key: string): JobReader | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, `expected an object, got ${typeName(v)}`);
    return new JobReader(this.system, this.name, v as Record<string, unknown>, `${this.prefix}${key}.`);
  }

  /** A list item that must be an object, read through its own reader (`key[i].field`). */
  item(key: string, i: number, v: unknown): JobReader {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`${key}[${i}]`, `expected an object, got ${typeName(v)}`);
    return new JobReader(this.system, this.name, v as Record<string, unknown>, `${this.prefix}${key}[${i}].`);
  }

  /** Keys present with a meaningful value (not null, '', 0, false, [] or {}) that nobody read. */
  unread(): string[] {
    return Object.keys(this.obj)
      .filter((k) => !this.read.has(k) && meaningful(this.obj[k]))
      .map((k) => this.prefix + k);
  }
}

/** Whether a value says something (defaults and empties do not). */
export function meaningful(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === 0 || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** The fixed head of a Job manifest. */
export function newManifest(name: string): JobManifest {
  return { apiVersion: 'kairos/v1', kind: 'Job', metadata: { name }, spec: {} };
}
