/**
 * Plan renderers: `text` (terminal, like `terraform plan`), `json` (stable, machine-read,
 * schemas/plan.schema.json) and `markdown` (a pull-request comment), picked by name.
 */
import { renderJson } from './render-json.js';
import { renderMarkdown } from './render-markdown.js';
import { renderText } from './render-text.js';
import type { Plan } from './types.js';

/** The `--output` formats. */
export const OUTPUT_FORMATS = ['text', 'json', 'markdown'] as const;
/** One of OUTPUT_FORMATS. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Renders a plan; `color` applies to `text` only (use it only on a TTY). */
export function renderPlan(plan: Plan, format: OutputFormat, opts: { color?: boolean } = {}): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, opts.color ?? false);
}
