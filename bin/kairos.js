#!/usr/bin/env node
// The installed `kairos` command: runs the TypeScript sources through tsx's loader,
// so there is no build step between a git checkout and a working CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
