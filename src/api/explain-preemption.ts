/**
 * The preemption part of `explain` (./explain.ts): which runs of a job are being preempted
 * or were and wait to run again, which are preempting others, and when a waiting run may
 * preempt. Pure, from the job's view data alone.
 */
import type { Run } from '../core/run.js';
import { isTerminalRun } from '../core/types.js';
import type { JobDetail } from '../ports/controller.js';

/** A reason about preemption, in explain's shape. */
export interface PreemptionReason {
  code: 'preempted' | 'preempting';
  message: string;
}

const fmt = (ms: number) => `${Math.max(0, Math.round(ms / 1000))}s`;

/** What preemption means for the job's active runs right now. */
export function preemptionReasons(job: JobDetail, now: number): PreemptionReason[] {
  const out: PreemptionReason[] = [];
  const spec = job.resource.kind === 'Job' ? job.resource.spec : undefined;
  for (const r of job.lastRuns.filter((x: Run) => !isTerminalRun(x.state))) {
    const last = r.attempts.at(-1);
    const before = r.attempts.at(-2);
    if (last?.preemptedBy && last.endedAt === undefined) {
      out.push({ code: 'preempted', message: `run ${r.id} is being preempted by ${last.preemptedBy}: its task is killed${spec ? ` (killGracePeriodSeconds: ${spec.killGracePeriodSeconds})` : ''}, then the run waits to run again` });
    } else if (before?.preemptedBy && r.state === 'pending') {
      out.push({ code: 'preempted', message: `run ${r.id} was preempted by ${before.preemptedBy} (attempt ${before.n}); attempt ${last!.n} waits for room (a preempted attempt uses no retry)` });
    }
    if (r.state === 'pending' && r.reason?.startsWith('preempting ')) out.push({ code: 'preempting', message: `run ${r.id} is ${r.reason}` });
    else if (r.state === 'pending' && last && last.endedAt === undefined && spec?.preemption) {
      const at = last.notBefore + spec.preemption.afterSeconds * 1000;
      if (at > now) out.push({ code: 'preempting', message: `run ${r.id} may preempt lower-priority preemptible tasks in ${fmt(at - now)} (preemption.afterSeconds: ${spec.preemption.afterSeconds}, priority ${spec.priority})` });
    }
  }
  return out;
}
