import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { toDot } from '../../../src/api/dot.js';
import { makeApi } from './harness.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('DOT rendering', () => {
  it('groups DAG tasks in a cluster, colours by state and escapes quotes', () => {
    const dot = toDot({
      nodes: [
        { id: 'etl', kind: 'dag', label: 'etl' },
        { id: 'etl/split', kind: 'task', dag: 'etl', label: 'split', state: 'failed' },
        { id: 'etl/merge', kind: 'task', dag: 'etl', label: 'merge "all"' },
        { id: 'report', kind: 'job', label: 'report', state: 'running' },
      ],
      edges: [
        { from: 'etl/split', to: 'etl/merge', kind: 'dependsOn' },
        { from: 'etl', to: 'report', kind: 'after' },
      ],
    });
    expect(dot).toBe(
      [
        'digraph kairos {',
        '  rankdir=LR;',
        '  node [fontname="Helvetica"];',
        '  "etl" [label="etl", shape=folder];',
        '  "report" [label="report", shape=box, style=filled, fillcolor="#4a90d9"];',
        '  subgraph "cluster_etl" {',
        '    label="etl";',
        '    "etl/split" [label="split", shape=box, style=filled, fillcolor="#d9534f"];',
        '    "etl/merge" [label="merge \\"all\\"", shape=box];',
        '  }',
        '  "etl/split" -> "etl/merge";',
        '  "etl" -> "report" [style=dashed];',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('UI files', () => {
  it('serves the shell, the modules and dagre with their types and a strict CSP, nothing else', async () => {
    app = makeApi().app;
    const index = await app.inject('/');
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("default-src 'self'");
    expect(index.body).toContain('<script type="module" src="/ui/app.js"></script>');
    for (const f of ['app.js', 'api.js', 'dom.js', 'jobs.js', 'job.js', 'run.js', 'dag.js', 'chrome.js']) {
      const res = await app.inject(`/ui/${f}`);
      expect(res.statusCode, f).toBe(200);
      expect(res.headers['content-type'], f).toBe('text/javascript; charset=utf-8');
    }
    expect((await app.inject('/ui/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const dagre = await app.inject('/ui/vendor/dagre.esm.js');
    expect(dagre.statusCode).toBe(200);
    expect(dagre.body).toMatch(/export\s*\{/);
    for (const bad of ['/ui/../api/app.ts', '/ui/%2e%2e/api/app.ts', '/ui/vendor/../../package.json', '/ui/nope.js']) {
      expect((await app.inject(bad)).statusCode, bad).toBe(404);
    }
  });

  it('is left out with ui: false', async () => {
    app = makeApi({ ui: false }).app;
    expect((await app.inject('/')).statusCode).toBe(404);
  });
});
