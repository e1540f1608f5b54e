/**
 * Builds the API over the in-memory controller double, a FakeClock and a switchable
 * leadership, for in-process (`app.inject`) and over-HTTP tests alike.
 */
import { buildApp, type ApiDeps } from '../../../src/api/app.js';
import type { Leadership } from '../../../src/ports/leader.js';
import { Metrics } from '../../../src/metrics/metrics.js';
import { FakeClock } from '../../support/fake-clock.js';
import { MemoryController } from './memory-controller.js';

/** A leadership the test flips by hand. */
export class SwitchLeadership implements Leadership {
  leader = true;
  url: string | undefined = 'http://127.0.0.1:4400';
  isLeader(): boolean {
    return this.leader;
  }
  epoch(): number | undefined {
    return this.leader ? 1 : undefined;
  }
  leaderUrl(): string | undefined {
    return this.url;
  }
  onChange(): () => void {
    return () => {};
  }
}

/** A test API with two jobs (`nightly` scheduled, `report` after it) and one finished run. */
export function makeApi(extra: Partial<ApiDeps> = {}) {
  const clock = new FakeClock('2026-03-08T12:00:00Z');
  const ctl = new MemoryController(clock);
  const leadership = new SwitchLeadership();
  ctl.addJob('nightly', {
    owner: 'data-team',
    labels: { team: 'data', tier: 'gold' },
    spec: { schedule: { kind: 'cron', expression: '0 2 * * *', timeZone: 'Europe/Berlin' } },
    nextRuns: [Date.parse('2026-03-09T01:00:00Z')],
    manifest: 'kind: Job\nmetadata:\n  name: nightly\n',
  });
  ctl.addJob('report', { owner: 'web', labels: { team: 'web' }, spec: { after: ['nightly'] } });
  ctl.addRun({ id: 'nightly@2026-03-08T01:00:00.000Z', job: 'nightly', state: 'running', scheduledAt: Date.parse('2026-03-08T01:00:00Z') });
  ctl.transition('nightly@2026-03-08T01:00:00.000Z', 'running');
  ctl.transition('nightly@2026-03-08T01:00:00.000Z', 'succeeded');
  const metrics = new Metrics(clock);
  const app = buildApp({ view: ctl, actions: ctl, leadership, clock, metrics, ...extra });
  return { app, ctl, clock, leadership, metrics };
}

/** The value of one sample line `name{labels} value` in Prometheus text. */
export function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
