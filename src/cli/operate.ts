/**
 * The terminal's counterparts of the API's operations, registered together so main.ts
 * stays a list: jobs, logs, kill, pause/resume, and shell completion (registered last, as
 * it reads every command registered before it).
 */
import * as completion from './completion.js';
import * as jobs from './jobs.js';
import * as kill from './kill.js';
import * as logs from './logs.js';
import * as pause from './pause.js';

/** In registration order; `completion` last. */
export const all = [jobs, logs, kill, pause, completion];
