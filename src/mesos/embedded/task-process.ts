/**
 * The process side of a local task, for surviving the agent: a small `/bin/sh` wrapper runs
 * the task's argv and writes its exit status into the sandbox (`.kairos-exit`, written to a
 * temporary name and renamed), so the status is known even when no one waited for the
 * process. The wrapper is the process group leader; it traps TERM/INT/HUP with a no-op
 * (a trap with an action, unlike an ignored signal, is reset in the child), so a kill of
 * the group ends the task and the wrapper still records how. Only SIGKILL of the whole
 * group leaves no status; the agent then knows from its checkpoint whether it asked for a
 * kill. Liveness of a pid is judged together with its kernel start time, so a pid reused
 * by another process after a reboot or a long outage is not taken for the task.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The file a finished wrapper leaves in the sandbox. */
export const EXIT_FILE = '.kairos-exit';

const WRAPPER = `trap : TERM INT HUP; "$@"; rc=$?; echo $rc > ${EXIT_FILE}.tmp && mv ${EXIT_FILE}.tmp ${EXIT_FILE}; exit $rc`;

/** The argv that runs `argv` under the exit-status wrapper (run it with cwd = sandbox). */
export function wrapArgv(argv: string[]): string[] {
  return ['/bin/sh', '-c', WRAPPER, 'kairos-task', ...argv];
}

/** The exit status the wrapper recorded in `sandbox`, if it finished. */
export function recordedExit(sandbox: string): number | undefined {
  const file = join(sandbox, EXIT_FILE);
  if (!existsSync(file)) return undefined;
  const n = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(n) ? n : undefined;
}

/** /proc/<pid>/stat: state and start time (fields 3 and 22), or undefined if no such process. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0], start: rest[19] };
  } catch {
    return undefined;
  }
}

/** The kernel start time of `pid`, recorded at launch to recognise the process later. */
export function processStart(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/** Whether `pid` is still the process started at `start` and has not exited (zombies have). */
export function processAlive(pid: number, start: string | undefined): boolean {
  const s = procStat(pid);
  if (!s) {
    if (existsSync('/proc/self/stat')) return false;
    try {
      process.kill(pid, 0); // no /proc (not Linux): the pid alone
      return true;
    } catch {
      return false;
    }
  }
  return s.state !== 'Z' && s.state !== 'X' && (start === undefined || s.start === start);
}

/**
 * Whether any process of group `pgid` still runs (zombies, which have exited and wait only
 * for their reaper, do not count). Reads /proc; without it, asks the kernel about the group.
 */
export function groupRunning(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

const SIGNALS: Record<number, [string, string]> = {
  1: ['SIGHUP', 'Hangup'],
  2: ['SIGINT', 'Interrupt'],
  6: ['SIGABRT', 'Aborted'],
  9: ['SIGKILL', 'Killed'],
  11: ['SIGSEGV', 'Segmentation fault'],
  15: ['SIGTERM', 'Terminated'],
};

/**
 * How a task ended, in the command executor's words: "Command exited with status N" or
 * "Command terminated with signal <name>". `code` is the wrapper's status; a shell reports
 * a child killed by signal n as 128+n, read back as that signal.
 */
export function describeExit(code: number | null, signal: string | null): string {
  if (signal) {
    const known = Object.values(SIGNALS).find(([name]) => name === signal);
    return `Command terminated with signal ${known ? known[1] : signal}`;
  }
  if (code !== null && code > 128 && SIGNALS[code - 128]) return `Command terminated with signal ${SIGNALS[code - 128][1]}`;
  return `Command exited with status ${code}`;
}
