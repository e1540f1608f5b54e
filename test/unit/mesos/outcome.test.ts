/**
 * The one table from Mesos TaskState + Reason to the core's outcome (src/mesos/status.ts
 * `outcomeOf`), checked for every TaskState and every Reason the proto declares (read from
 * proto/mesos/v1/mesos.proto, so a state or reason added there is covered or this fails).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TaskOutcome } from '../../../src/core/outcome.js';
import { localSandboxes, outcomeOf, runRefOf, statusUpdateOf, toStatusUpdate } from '../../../src/mesos/status.js';
import type { TaskStatusUpdate } from '../../../src/ports/mesos.js';

const proto = readFileSync(new URL('../../../proto/mesos/v1/mesos.proto', import.meta.url), 'utf8');
const enumNames = (name: string) => [...new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(proto)![1].matchAll(/(\w+) = \d+;/g)].map((m) => m[1]);
const STATES = enumNames('TaskState');
const REASONS = enumNames('Reason');

/** Expected outcome per state, whatever the reason, grouped by outcome. */
const STATES_OF: Record<TaskOutcome, string[]> = {
  active: ['TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING'],
  running: ['TASK_RUNNING'], // the attempt has started: the only state the controller needs told apart from `active`
  unreachable: ['TASK_UNREACHABLE'],
  succeeded: ['TASK_FINISHED'],
  failed: ['TASK_FAILED'],
  error: ['TASK_ERROR'], // one meaning: refused, not retried (it used to be `failed` in the core)
  killed: ['TASK_KILLED'],
  dropped: ['TASK_DROPPED'],
  gone: ['TASK_LOST', 'TASK_GONE', 'TASK_UNKNOWN'],
  lost: ['TASK_GONE_BY_OPERATOR'],
};
const BY_STATE = Object.fromEntries(Object.entries(STATES_OF).flatMap(([o, ss]) => ss.map((st) => [st, o as TaskOutcome])));

/** The only (state, reason) pairs whose outcome differs from their state's. */
const EXCEPTIONS: Record<string, TaskOutcome> = {
  'TASK_LOST REASON_INVALID_OFFERS': 'dropped',
  'TASK_LOST REASON_RESOURCES_UNKNOWN': 'dropped',
  'TASK_LOST REASON_TASK_INVALID': 'error',
  'TASK_LOST REASON_TASK_UNAUTHORIZED': 'error',
  'TASK_LOST REASON_TASK_GROUP_INVALID': 'error',
  'TASK_LOST REASON_TASK_GROUP_UNAUTHORIZED': 'error',
};

describe('Mesos TaskState + Reason → outcome', () => {
  it('maps every state with every reason (and none) as the table says', () => {
    expect(STATES).toHaveLength(14);
    expect(REASONS.length).toBeGreaterThan(30);
    expect(Object.keys(BY_STATE).sort()).toEqual([...STATES].sort());
    const got: Record<string, TaskOutcome> = {};
    const want: Record<string, TaskOutcome> = {};
    for (const state of STATES)
      for (const reason of [undefined, ...REASONS]) {
        const key = `${state} ${reason ?? '-'}`;
        got[key] = outcomeOf(state, reason);
        want[key] = EXCEPTIONS[key] ?? BY_STATE[state];
      }
    expect(got).toEqual(want);
    expect(outcomeOf('TASK_SOMETHING_NEW')).toBe('gone');
  });

  it('is what the port carries: the controller never reads the state name', () => {
    const u = toStatusUpdate({ task_id: { value: 't' }, state: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS' }, {}, 0);
    expect(u.outcome).toBe('dropped');
    expect(u).toEqual({ taskId: 't', outcome: 'dropped', mesosState: 'TASK_LOST', reason: 'REASON_INVALID_OFFERS', at: 0, fromReconciliation: false });
  });

  it('names the run from the launch labels, and only when they name one', () => {
    const labels = { 'kairos.job': 'j', 'kairos.run': 'j@1', 'kairos.revision': 'abc', 'kairos.attempt': '3' };
    const s = { task_id: { value: 'kairos.j@1.3' }, state: 'TASK_FINISHED' as const, timestamp: 2.5, message: 'Command exited with status 0' };
    expect(toStatusUpdate(s, labels, 0)).toMatchObject({ outcome: 'succeeded', at: 2500, exitStatus: 0, run: { runId: 'j@1', attempt: 3, revision: 'abc' } });
    expect(toStatusUpdate(s, { 'kairos.job': 'j', 'kairos.attempt': '3' }, 0)).not.toHaveProperty('run');
    expect(runRefOf({ 'kairos.run': 'j@1' })).toEqual({ runId: 'j@1', attempt: 1, revision: 'unknown' });
  });

  it('carries the sandbox the framework knows, or the local one for the embedded agents', async () => {
    const book = { update: () => toStatusUpdate({ task_id: { value: 'kairos.j@1.1' }, state: 'TASK_RUNNING' }, { 'kairos.run': 'j@1' }, 7) };
    const s = { task_id: { value: 'kairos.j@1.1' }, state: 'TASK_RUNNING' as const };
    expect(statusUpdateOf(book, s, 7, undefined, 'http://agent/files/x')?.sandbox).toBe('http://agent/files/x');
    expect(statusUpdateOf(book, s, 7, undefined, undefined)).not.toHaveProperty('sandbox');
    expect(statusUpdateOf({ update: () => undefined }, s, 7, undefined, 'x')).toBeUndefined();
    const seen: TaskStatusUpdate[] = [];
    const hooks = localSandboxes({ persistLaunch: async () => {}, onStatus: async (u) => void seen.push(u) }, (id) => (id === 'kairos.j@1.1' ? '/tmp/sandbox' : undefined));
    await hooks.onStatus({ ...statusUpdateOf(book, s, 7, undefined, 'http://agent/files/x')!, taskId: 'kairos.j@1.1' });
    await hooks.onStatus({ ...statusUpdateOf(book, s, 7, undefined, 'http://agent/files/x')!, taskId: 'other' });
    expect(seen.map((u) => u.sandbox)).toEqual(['/tmp/sandbox', undefined]);
  });
});
