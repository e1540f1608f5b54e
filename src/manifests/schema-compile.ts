/**
 * Compiling the manifest JSON Schemas (schemas/, draft 2020-12) into validators, two ways:
 *  - `standaloneValidatorsCode()`: ajv's standalone code, generated once by the build
 *    (scripts/build.mjs writes dist/manifests/validators.cjs), so the compiled CLI neither
 *    loads ajv's compiler nor compiles the schemas at start;
 *  - `compileValidators()`: the same ajv options compiled in memory, for running from the
 *    TypeScript sources (tests, `npm run kairos`) where no generated file exists.
 * Both come from one ajv configuration, so they cannot disagree on what is valid; a test
 * (test/unit/manifests/schema-standalone.test.ts) checks their errors are the same.
 * ajv is required lazily (it is CommonJS), so importing this module costs nothing.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';

/** The manifest kinds and the schema file of each. */
export const KINDS = { Job: 'job.schema.json', DAG: 'dag.schema.json' } as const;
/** A manifest kind this release reads. */
export type Kind = keyof typeof KINDS;
/** The schema both kinds share for `notify` and `sla`, which also holds the --notify-config file's. */
export const NOTIFY_SCHEMA = 'notify.schema.json';
/** The `$id` of the --notify-config file's schema. */
const NOTIFY_CONFIG_ID = `https://kairos.dev/schemas/${NOTIFY_SCHEMA}#/$defs/config`;
/** One validator per manifest kind, and one for the --notify-config file. */
export type Validators = Record<Kind | 'NotifyConfig', ValidateFunction>;

const require = createRequire(import.meta.url);

/** Reads a schema from schemas/ at the repository root (src/ and dist/ are both two levels below it). */
export function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

/** The `$id` of a kind's schema. */
export function schemaId(kind: Kind): string {
  return `https://kairos.dev/schemas/${KINDS[kind]}`;
}

function manifestAjv(source: boolean): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    code: { source },
  });
  // Annotation only: what a oneOf/anyOf expects, in words, for the error message.
  ajv.addKeyword({ keyword: 'x-expect', schemaType: 'string' });
  for (const file of [...Object.values(KINDS), NOTIFY_SCHEMA]) ajv.addSchema(readSchema(file));
  return ajv;
}

/** Compiles the validators in memory (running from source). */
export function compileValidators(): Validators {
  const ajv = manifestAjv(false);
  const get = (id: string) => ajv.getSchema(id) as ValidateFunction;
  return { Job: get(schemaId('Job')), DAG: get(schemaId('DAG')), NotifyConfig: get(NOTIFY_CONFIG_ID) };
}

/** A CommonJS module exporting `Job`, `DAG` and `NotifyConfig` validators, with no ajv compiler behind them. */
export function standaloneValidatorsCode(): string {
  const standalone = (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default;
  return standalone(manifestAjv(true), { Job: schemaId('Job'), DAG: schemaId('DAG'), NotifyConfig: NOTIFY_CONFIG_ID });
}
