/**
 * The shipped monitoring examples against Prometheus's own tool and the real /metrics:
 * `promtool check rules` and `promtool test rules` (the alert unit tests next to the rules)
 * must pass, and every metric the rules and the Grafana dashboard name must be one that
 * /metrics serves (a renamed metric would otherwise silently never alert).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeApi } from '../unit/api/harness.js';

const RULES = 'examples/prometheus/kairos-alerts.yml';
const DASHBOARD = 'examples/grafana/kairos-dashboard.json';
const api = makeApi();
afterAll(() => api.app.close());

/** Metric names in PromQL text: kairos_*, process_*, nodejs_*, with histogram suffixes cut to the family. */
function metricNames(promql: string): Set<string> {
  const names = promql.match(/\b(?:kairos|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
  return new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')));
}

/** Metric families on /metrics: every `# TYPE name kind` line. */
async function served(): Promise<Set<string>> {
  const body = (await api.app.inject('/metrics')).body;
  return new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}

describe('monitoring examples', () => {
  it('pass promtool check rules and the alert unit tests', () => {
    const check = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check).toMatch(/SUCCESS: 8 rules found/);
    const test = execFileSync('promtool', ['test', 'rules', 'kairos-alerts.test.yml'], { cwd: 'examples/prometheus', encoding: 'utf8' });
    expect(test).toMatch(/SUCCESS/);
  });

  it('name only metrics that /metrics serves', async () => {
    const have = await served();
    const rules = metricNames(readFileSync(RULES, 'utf8'));
    const dashboard = metricNames(JSON.stringify((JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] }).panels.flatMap((p) => p.targets.map((t) => t.expr))));
    expect(rules.size).toBeGreaterThanOrEqual(8);
    expect(dashboard.size).toBeGreaterThanOrEqual(12);
    expect([...rules, ...dashboard].filter((n) => !have.has(n))).toEqual([]);
  });
});
