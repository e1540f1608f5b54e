import { describe, expect, it } from 'vitest';
import { loadDesired } from '../../../src/manifests/load.js';
import { appliedFromDesired } from '../../../src/plan/apply.js';
import { plan } from '../../../src/plan/plan.js';
import { renderPlan } from '../../../src/plan/render.js';
import { FakeClock } from '../../support/fake-clock.js';
import { expectGolden, expectValidJson } from './golden.js';
import { dagYaml, jobYaml, snapshotOf } from '../../fixtures/manifests/index.js';

const clock = new FakeClock('2026-06-15T09:30:00Z');

const before = {
  'jobs/report.yaml': jobYaml('nightly-report', 'schedule: { cron: "30 2 * * *", timeZone: Asia/Shanghai }\ncontainer: { image: "bi/report:2.4.0" }\nresources: { cpus: 1, mem: 2048 }'),
  'jobs/old.yaml': jobYaml('old-export', 'command: { shell: "export | gzip" }'),
  'jobs/keep.yaml': jobYaml('cleanup', 'schedule: { cron: "0 4 * * *" }\ncommand: { shell: "cleanup --days 30" }'),
  'jobs/load.yaml': jobYaml('load', 'after: [cleanup]\ncommand: { shell: load }'),
};
const after = {
  'jobs/report.yaml': jobYaml('nightly-report', 'schedule: { cron: "0 3 * * *", timeZone: Asia/Shanghai }\ncontainer: { image: "bi/report:2.5.0" }\nresources: { cpus: 2, mem: 2048 }'),
  'jobs/keep.yaml': before['jobs/keep.yaml'],
  'jobs/load.yaml': before['jobs/load.yaml'],
  'jobs/hourly.yaml': jobYaml('hourly-rollup', 'schedule: { iso8601: "R/2026-01-01T00:00:00Z/PT1H", timeZone: Europe/London }\ncommand: { argv: [rollup, "--window", 1h] }'),
  'dags/video.yaml': dagYaml(
    'video',
    'schedule: { cron: "0 */6 * * *" }\ntasks:\n  - { name: split, template: { command: { shell: split } } }\n  - { name: merge, dependsOn: [split], template: { command: { shell: "merge | publish" } } }',
  ),
};
const thePlan = () =>
  plan(loadDesired(snapshotOf(after, '9f2c1e7')), appliedFromDesired(loadDesired(snapshotOf(before, '41ab0d3'))), { now: clock.now() });

describe('plan renderers', () => {
  it('text: terraform-like, uncoloured off a TTY', async () => {
    const text = renderPlan(thePlan(), 'text');
    expect(text).not.toMatch(/\x1b\[/);
    await expectGolden('plan.txt', text);
  });

  it('text: coloured on request, same words', () => {
    const coloured = renderPlan(thePlan(), 'text', { color: true });
    expect(coloured).toMatch(/\x1b\[32m/); // green for create
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderPlan(thePlan(), 'text'));
  });

  it('json: stable and valid against schemas/plan.schema.json', async () => {
    const json = renderPlan(thePlan(), 'json');
    await expectGolden('plan.json', json);
    expectValidJson(json);
    expect(renderPlan(thePlan(), 'json')).toBe(json);
  });

  it('markdown: a pull-request comment', async () => {
    await expectGolden('plan.md', renderPlan(thePlan(), 'markdown'));
  });

  it('--against: every format names the merge base (or the tip) and the commit it compared with, not "applied"', () => {
    const p = plan(loadDesired(snapshotOf(after, '9f2c1e7')), appliedFromDesired(loadDesired(snapshotOf(before, '41ab0d3'))), { now: clock.now(), againstRef: 'main', mergeBaseOf: 'HEAD' });
    expect(renderPlan(p, 'text').split('\n')[0]).toBe('Plan for revision 9f2c1e7 (against the merge base of main and HEAD at 41ab0d3)');
    expect(renderPlan(p, 'markdown').split('\n')[2]).toBe('Against the merge base of `main` and `HEAD` at `41ab0d3` · **2 to create, 1 to update, 0 to prune, 2 unchanged, 1 not pruned (use --prune)**');
    const json = renderPlan(p, 'json');
    expect(JSON.parse(json)).toMatchObject({ appliedRevision: '41ab0d3', against: { ref: 'main', revision: '41ab0d3', mergeBaseOf: 'HEAD' } });
    expectValidJson(json);
    const tip = plan(loadDesired(snapshotOf(after, '9f2c1e7')), appliedFromDesired(loadDesired(snapshotOf(before, '41ab0d3'))), { now: clock.now(), againstRef: 'main' });
    expect(renderPlan(tip, 'text').split('\n')[0]).toBe('Plan for revision 9f2c1e7 (against the tip of main at 41ab0d3)');
    expectValidJson(renderPlan(tip, 'json'));
  });

  it('says so when there is nothing to do', async () => {
    const same = plan(loadDesired(snapshotOf(before, '41ab0d3')), appliedFromDesired(loadDesired(snapshotOf(before, '41ab0d3'))), { now: clock.now() });
    await expectGolden('plan-in-sync.txt', renderPlan(same, 'text'));
    expect(renderPlan(same, 'markdown')).toContain('No changes. The applied state matches the manifests.');
    const sameAsMain = plan(loadDesired(snapshotOf(before, '41ab0d3')), appliedFromDesired(loadDesired(snapshotOf(before, '41ab0d3'))), { now: clock.now(), againstRef: 'main' });
    expect(renderPlan(sameAsMain, 'text')).toContain('No changes. The manifests match those at main.');
  });
});
