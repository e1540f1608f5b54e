/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line),
 * prints their figures and rewrites BENCHMARKS.md with them and the command used.
 * A bench module's default export returns rows of { name, value, unit, note? }.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

const sections: string[] = [];
const titles = new Set<string>();
for (const f of files) {
  process.stdout.write(`== ${f}\n`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: () => Promise<BenchRow[]>; title?: string };
  const rows = await mod.default();
  titles.add(mod.title ?? f);
  for (const r of rows) process.stdout.write(`  ${r.name}: ${r.value} ${r.unit}${r.note ? ` (${r.note})` : ''}\n`);
  sections.push(
    `## ${mod.title ?? f}\n\n| measure | value | unit | note |\n|---|---:|---|---|\n` +
      rows.map((r) => `| ${r.name} | ${r.value} | ${r.unit} | ${r.note ?? ''} |`).join('\n') +
      '\n',
  );
}

/**
 * Sections of the current BENCHMARKS.md that no bench wrote (the long chaos run, notes on
 * how a figure was taken): kept after the generated ones, so a full run never erases them.
 */
async function keptSections(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .split(/^(?=## )/m)
    .slice(1)
    .filter((sec) => !titles.has(sec.slice(3, sec.indexOf('\n')).trim()))
    .map((sec) => sec.trimEnd() + '\n');
}

if (wanted.length === 0) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const path = join(here, '..', 'BENCHMARKS.md');
  const md =
    `# Benchmarks\n\nProduced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, ` +
    `Node ${process.version}, ${cpus().length} × ${cpu}. Figures within one section were measured side by side in one run.\n\n` +
    [...sections, ...(await keptSections(path))].join('\n');
  await writeFile(path, md);
  process.stdout.write('wrote BENCHMARKS.md\n');
}
