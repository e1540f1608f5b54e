/**
 * The building blocks both OpenAPI parts (./openapi.ts, ./openapi-charts.ts) write their
 * schemas and operations with (OpenAPI 3.1, spec.openapis.org/oas/v3.1.0): kept apart so
 * the two parts import these instead of each other.
 */

/** A JSON Schema / OpenAPI object. */
export type Schema = Record<string, unknown>;

/** Who may call an operation (src/api/access.ts roles, or no token at all). */
type Role = 'public' | 'viewer' | 'operator' | 'admin';

/**
 * Beyond the OpenAPI fields: `status`, the success status (default 200); `also`, other statuses
 * answered with the same body; `errors`, route-specific error statuses (body: Error).
 */
type OpExtra = Schema & { status?: string; also?: Record<string, string>; errors?: Record<string, string> };

/** One operation: method, path, role, summary, success body (schema or component name), extras. */
export type Op = [method: string, path: string, role: Role, summary: string, ok: Schema | string, extra?: OpExtra];

/** A reference to a component schema. */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
/** A string. */
export const str: Schema = { type: 'string' };
/** An integer. */
export const int: Schema = { type: 'integer' };
/** An instant as epoch milliseconds. */
export const epochMs: Schema = { type: 'integer', description: 'epoch milliseconds' };
/** An object with these properties, of which `required` must be present. */
export const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required });
/** An array of `item`. */
export const listOf = (item: Schema): Schema => ({ type: 'array', items: item });
