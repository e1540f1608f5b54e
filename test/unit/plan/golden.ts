/** Golden files and the plan schema, shared by the plan renderer tests. */
import { readFile, writeFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { readSchema } from '../../../src/manifests/schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const golden = (name: string) => new URL(`../../golden/${name}`, import.meta.url);

/** Compares with the golden file; `UPDATE_GOLDEN=1 npx vitest run test/unit/plan` rewrites it. */
export async function expectGolden(name: string, actual: string): Promise<void> {
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(golden(name), actual);
  expect(actual).toBe(await readFile(golden(name), 'utf8'));
}

/** Asserts that a JSON plan is valid against schemas/plan.schema.json. */
export function expectValidJson(json: string): void {
  const ajv = new Ajv2020({ strict: true });
  addFormats(ajv);
  const validate = ajv.compile(readSchema('plan.schema.json'));
  expect(validate(JSON.parse(json)), JSON.stringify(validate.errors)).toBe(true);
}
