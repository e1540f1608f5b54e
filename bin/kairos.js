#!/usr/bin/env node
// The installed `kairos` command: runs the compiled JavaScript in dist/, built by
// `npm run build` (which `prepare` runs on `npm install`/`npm ci` in a checkout and on
// `npm pack`). Nothing is transpiled at start. From a checkout without dist/ (installed
// with --ignore-scripts), say how to build instead of failing with a module error.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('kairos: the compiled CLI (dist/) is missing; run `npm run build` in the kairos checkout\n');
  process.exit(1);
}
await import(main.href);
