import type { ClusterStatus, LaunchRequest, MesosFramework, PendingInfo } from '../../../src/ports/mesos.js';

/**
 * A recording double of the Mesos framework port (STYLE.md §10): it launches nothing and
 * remembers what the controller asked for, so tests assert on requests, not on Mesos.
 */
export class RecordingFramework implements MesosFramework {
  launched: LaunchRequest[] = [];
  killed: string[] = [];
  started: { force: boolean; knownTasks: { taskId: string; agentId?: string }[] }[] = [];
  stopped = false;

  launch(requests: LaunchRequest[]): void {
    this.launched.push(...requests);
  }
  async kill(taskId: string): Promise<void> {
    this.killed.push(taskId);
  }
  pending(): PendingInfo[] {
    return [];
  }
  status(): ClusterStatus {
    return { connected: true, starving: false, offersReceived: 0, offersDeclined: 0, revives: 0, suppressed: false };
  }
  async start(opts: { force: boolean; knownTasks: { taskId: string; agentId?: string }[] }): Promise<void> {
    this.started.push(opts);
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}
