/**
 * The compiled CLI validates manifests with ajv standalone code generated at build time;
 * running from source compiles the same schemas in memory. Both must accept, reject and
 * default exactly alike: every example and a set of broken manifests go through both, and
 * the outcome, the errors (keyword, paths, params, schema) and the filled-in defaults
 * must be identical.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { compileValidators, standaloneValidatorsCode, type Validators } from '../../../src/manifests/schema-compile.js';

/** Loads the generated CommonJS code the way Node would load dist/manifests/validators.cjs. */
function loadStandalone(): Validators {
  const module = { exports: {} as Validators };
  new Function('exports', 'require', 'module', standaloneValidatorsCode())(module.exports, createRequire(import.meta.url), module);
  return module.exports;
}

const examplesDir = new URL('../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => readFileSync(new URL(f, examplesDir), 'utf8').split(/^---$/m))
  .map((t) => load(t))
  .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object');

const job = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'x' }) => ({ apiVersion: 'kairos/v1', kind: 'Job', metadata, spec });
const broken = [
  job({ command: { shell: 'true' }, retrys: 1 }),
  job({}),
  job({ command: { shell: 'true' }, resources: { cpus: 'one' } }),
  job({ command: { shell: 'true' }, concurrencyPolicy: 'Sometimes' }),
  job({ command: { shell: 'true' }, schedule: { cron: 5 } }),
  job({ command: { shell: 'true' }, resources: { cpus: -1 } }),
  job({ command: { shell: 'true' } }, { name: 'Bad_Name!' }),
  job({ command: { shell: 'true' } }, { name: 'x', labels: { team: 3 } }),
  job({ command: { shell: '' } }),
  { apiVersion: 'kairos/v1', kind: 'DAG', metadata: { name: 'd' }, spec: { tasks: [{ name: 'a' }, { name: 'a' }] } },
  { apiVersion: 'kairos/v1', kind: 'DAG', metadata: { name: 'd' }, spec: {} },
  job({ command: { shell: 'true' }, notify: [{ on: ['failed'], slack: { url: 'https://x' }, email: { to: ['a@b.c'] } }], sla: { finishWithinSeconds: 0 } }),
];

describe('standalone manifest validators (generated at build time)', () => {
  const generated = loadStandalone();
  const inMemory = compileValidators();

  it.each([...examples, ...broken].map((doc, i) => [i, doc] as const))('document %i: same verdict, errors and defaults', (_i, doc) => {
    const kind = doc.kind as 'Job' | 'DAG';
    const a = structuredClone(doc);
    const b = structuredClone(doc);
    const okA = generated[kind](a);
    const okB = inMemory[kind](b);
    expect(okA).toBe(okB);
    expect(generated[kind].errors ?? null).toEqual(inMemory[kind].errors ?? null);
    expect(a).toEqual(b);
  });

  it('validate the --notify-config file alike', () => {
    const config = load(readFileSync(new URL('notify/notify-config.yaml', examplesDir), 'utf8'));
    for (const doc of [config, { defaults: [{ on: ['exploded'] }], smtp: { host: 'h' } }]) {
      const a = structuredClone(doc);
      const b = structuredClone(doc);
      expect(generated.NotifyConfig(a)).toBe(inMemory.NotifyConfig(b));
      expect(generated.NotifyConfig.errors ?? null).toEqual(inMemory.NotifyConfig.errors ?? null);
      expect(a).toEqual(b);
    }
  });

  it('the broken manifests are really refused', () => {
    for (const doc of broken) expect([doc, generated[doc.kind as 'Job' | 'DAG'](structuredClone(doc))]).toEqual([doc, false]);
    expect(examples.length).toBeGreaterThan(5);
  });
});
