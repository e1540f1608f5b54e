/**
 * Step 2 of loading: check a document against the JSON Schemas in schemas/ (draft
 * 2020-12, ajv) and fill in every default the schema declares, so the compiled spec is
 * explicit. Ajv's errors are translated into problems that name the field path, where it
 * is in the file, and what was expected — with "did you mean" for misspelled names.
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Problem } from '../core/errors.js';
import { compileValidators, KINDS, type Kind, type Validators } from './schema-compile.js';
import { didYouMean } from './suggest.js';
import type { ParsedDoc } from './yaml.js';

export { KINDS, NOTIFY_SCHEMA, readSchema, type Kind } from './schema-compile.js';
/** The only apiVersion this release reads. */
export const API_VERSION = 'kairos/v1';

/** The build's generated validators (dist/manifests/validators.cjs), when running compiled. */
const GENERATED = './validators.cjs';

let validators: Validators | undefined;

/**
 * The validators: the standalone code generated at build time when it is there (the
 * compiled CLI), else compiled now from the schemas (running the TypeScript sources).
 */
function compiled(): Validators {
  if (validators) return validators;
  try {
    validators = createRequire(import.meta.url)(GENERATED) as Validators;
  } catch (err) {
    // Only the generated file itself being absent means "running from source"; a module it
    // needs being absent is a broken install and must say so.
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (err as Error).message.includes(GENERATED.slice(2));
    if (!missing) throw err;
    validators = compileValidators();
  }
  return validators;
}

/**
 * Validates a document that is not a manifest (the --notify-config file) in place against
 * its schema; problems carry line and column like a manifest's.
 */
export function validateWith(doc: ParsedDoc, schema: 'NotifyConfig'): Problem[] {
  const validate = compiled()[schema];
  if (validate(doc.value)) return [];
  const at: At = (path, message, key = false) => ({ file: doc.file, ...doc.locate(path, key), path: formatPath(path), message });
  return translate(validate.errors ?? [], doc.value, at);
}

/**
 * Validates one document in place (defaults are written into `doc.value`). Returns its
 * kind when valid, or the problems found. Checks apiVersion and kind first, so an
 * unknown kind says so instead of listing every field the schema does not know.
 */
export function validateDocument(doc: ParsedDoc): { kind?: Kind; problems: Problem[] } {
  const at = (path: (string | number)[], message: string, key = false): Problem => ({
    file: doc.file,
    ...doc.locate(path, key),
    path: formatPath(path),
    message,
  });
  const v = doc.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { problems: [at([], 'expected a mapping with apiVersion, kind, metadata and spec')] };
  }
  const o = v as Record<string, unknown>;
  const problems: Problem[] = [];
  if (o.apiVersion !== API_VERSION) {
    const got = o.apiVersion === undefined ? 'missing' : `unknown apiVersion ${JSON.stringify(o.apiVersion)}`;
    problems.push(at(['apiVersion'], `${got}: expected ${JSON.stringify(API_VERSION)}`));
  }
  if (typeof o.kind !== 'string' || !(o.kind in KINDS)) {
    const got = o.kind === undefined ? 'missing' : `unknown kind ${JSON.stringify(o.kind)}`;
    const hint = typeof o.kind === 'string' ? didYouMean(o.kind, Object.keys(KINDS)) : '';
    problems.push(at(['kind'], `${got}: expected one of ${Object.keys(KINDS).join(', ')}${hint}`));
  }
  if (problems.length > 0) return { problems };
  const kind = o.kind as Kind;
  const validate = compiled()[kind];
  if (validate(v)) return { kind, problems: [] };
  return { problems: translate(validate.errors ?? [], v, at) };
}

type At = (path: (string | number)[], message: string, key?: boolean) => Problem;

function translate(errors: ErrorObject[], value: unknown, at: At): Problem[] {
  const alternatives = new Set(errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.instancePath));
  const out = new Map<string, Problem>();
  for (const e of errors) {
    // Errors from inside a oneOf/anyOf branch are noise once the oneOf itself says what it expects.
    if (alternatives.has(e.instancePath) && /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath)) continue;
    if (e.keyword === 'if') continue; // its `then` error says what is missing
    if (e.propertyName !== undefined && e.keyword !== 'propertyNames') continue; // reported once, at the key
    const p = problemOf(e, pathOf(e.instancePath, value), at);
    out.set(`${p.line}:${p.column}:${p.path}:${p.message}`, p);
  }
  return [...out.values()];
}

function problemOf(e: ErrorObject, path: (string | number)[], at: At): Problem {
  const params = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((parent.properties ?? {}) as object);
      const hint = didYouMean(name, known) || ` (expected one of: ${known.join(', ')})`;
      return at([...path, name], `unknown field ${JSON.stringify(name)}${hint}`, true);
    }
    case 'required':
      return at([...path, String(params.missingProperty)], `missing required field ${JSON.stringify(params.missingProperty)}`);
    case 'type':
      return at(path, `expected ${params.type}, got ${describe(e.data)}`);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return at(path, `expected one of ${allowed.join(', ')}, got ${describe(e.data)}${hint}`);
    }
    case 'const':
      return at(path, `expected ${JSON.stringify(params.allowedValue)}, got ${describe(e.data)}`);
    case 'exclusiveMinimum':
    case 'minimum':
    case 'exclusiveMaximum':
    case 'maximum':
      return at(path, `must be ${params.comparison} ${params.limit}, got ${describe(e.data)}`);
    case 'pattern': {
      const what = typeof parent.description === 'string' ? ` (${parent.description})` : '';
      return at(path, `${describe(e.data)} does not match ${params.pattern}${what}`);
    }
    case 'propertyNames': {
      const rule = (parent.propertyNames ?? {}) as { pattern?: string };
      const expected = rule.pattern ? `: expected a name matching ${rule.pattern}` : '';
      return at([...path, String(params.propertyName)], `invalid name ${JSON.stringify(params.propertyName)}${expected}`, true);
    }
    case 'minLength':
      return at(path, 'must not be empty');
    case 'minItems':
      return at(path, `must have at least ${params.limit} item(s)`);
    case 'uniqueItems':
      return at(path, `items ${params.j} and ${params.i} are the same; each may appear once`);
    case 'oneOf':
    case 'anyOf': {
      const expect = typeof parent['x-expect'] === 'string' ? parent['x-expect'] : `a value matching the ${e.keyword} alternatives`;
      return at(path, `expected ${expect}`);
    }
    default:
      return at(path, e.message ?? `fails ${e.keyword}`);
  }
}

/** Splits an ajv instancePath (JSON Pointer, RFC 6901) into keys and array indexes. */
function pathOf(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(seg) : seg;
    out.push(key);
    node = node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[key];
  }
  return out;
}

/** `spec.tasks[2].name` */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return JSON.stringify(v);
}
