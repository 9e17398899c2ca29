// docs/monitoring.md, the Prometheus rules and the Grafana dashboard in contrib/ only use metrics /metrics really
// serves, and every database-backed gauge is documented.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { DATABASE_GAUGE_FAMILIES } from '../../src/resources/metrics/database-families.js';
import { buildWorld } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const METRIC = /\bcoffer_[a-z0-9_]+/g;

let t: TestServer;
let served: Set<string>;

before(async () => {
  t = await startTestServer({ metricsCacheMs: 0 });
  await buildWorld(t);
  const text = await (await fetch(`${t.url}/metrics`)).text();
  served = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    served.add(match[1]!);
    if (match[2] === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) served.add(match[1]! + suffix);
    if (match[2] === 'summary') for (const suffix of ['_sum', '_count']) served.add(match[1]! + suffix);
  }
});
after(async () => t?.close());

/** Every PromQL expression in a Grafana dashboard: panel targets and templating queries. */
function dashboardExpressions(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) dashboardExpressions(item, out);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'expr' || key === 'query' || key === 'definition') && typeof value === 'string') out.push(value);
      else dashboardExpressions(value, out);
    }
  }
  return out;
}

function metricsIn(texts: string[]): Set<string> {
  return new Set(texts.flatMap((text) => text.match(METRIC) ?? []));
}

it('the Grafana dashboard is valid JSON whose every query uses metrics /metrics serves', () => {
  const dashboard = JSON.parse(read('contrib/grafana/coffer-backups.json'));
  assert.equal(typeof dashboard.title, 'string');
  assert.ok(Array.isArray(dashboard.panels) && dashboard.panels.length >= 8);
  const expressions = dashboardExpressions(dashboard);
  const used = metricsIn(expressions);
  for (const metric of used) assert.ok(served.has(metric), `the dashboard uses ${metric}, which /metrics does not serve`);
  for (const needed of ['coffer_backup_last_success_timestamp_seconds', 'coffer_backup_last_state', 'coffer_agent_online', 'coffer_jobs', 'coffer_deliveries']) {
    assert.ok(used.has(needed), `the dashboard shows ${needed}`);
  }
  const ids = dashboard.panels.map((p: { id: number }) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
});

it('the alert rules in docs/monitoring.md are the file in contrib/, and use metrics /metrics serves', () => {
  const rules = read('contrib/prometheus/coffer-alerts.rules.yml');
  const docs = read('docs/monitoring.md');
  const block = /```yaml\n(groups:[\s\S]*?)```/.exec(docs)?.[1];
  assert.equal(block, rules, 'docs/monitoring.md shows the rules file as it is');
  const expressions = [...rules.matchAll(/expr: (?:\|\n((?: {10}.*\n)+)|(.*))/g)].map((m) => m[1] ?? m[2]!);
  assert.ok(expressions.length >= 2);
  assert.ok(
    expressions.some((e) => e.includes('coffer_backup_last_success_timestamp_seconds') && e.includes('26 * 3600')),
    'the 26 h rule',
  );
  assert.ok(
    expressions.some((e) => /coffer_agent_online == 0/.test(e)),
    'the agent offline rule',
  );
  for (const metric of metricsIn([rules, docs])) {
    // `coffer_process_*` in the prose names a prefix.
    const known = metric.endsWith('_') ? [...served].some((name) => name.startsWith(metric)) : served.has(metric);
    assert.ok(known, `${metric} is named in the rules or docs but not served`);
  }
});

it('every database-backed gauge is served and documented in docs/monitoring.md', () => {
  const docs = read('docs/monitoring.md');
  for (const family of DATABASE_GAUGE_FAMILIES) {
    assert.ok(served.has(family.name), `${family.name} is served`);
    assert.ok(docs.includes(`| \`${family.name}\` |`), `${family.name} has a row in the table of docs/monitoring.md`);
  }
});
