import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { loadServerConfig } from '../../config.js';
import type { Database } from '../../store/database.js';
import { DatabaseGaugeCache, registerDatabaseGauges, type DatabaseGaugeFamily } from './database-gauges.js';

// These families read nothing from the database; the cache and the registration are what is under test.
const db = {} as Kysely<Database>;
const config = loadServerConfig({});

function setup(families: DatabaseGaugeFamily[], ttlMs: number) {
  const errors: string[] = [];
  const registry = new Registry();
  const cache = new DatabaseGaugeCache(families, { db, config, ttlMs, onError: (family) => errors.push(family) });
  registerDatabaseGauges(registry, families, cache);
  // What /metrics serves: the families' text read first, then the registry's own metrics before it.
  const scrape = async () => {
    const families = await cache.exposition();
    return (await registry.metrics()) + families;
  };
  return { scrape, errors };
}

it('reads each family once per cache period, shares one read between concurrent scrapes and between families', async () => {
  let reads = 0;
  let sharedLoads = 0;
  const family = (name: string, value: number): DatabaseGaugeFamily => ({
    name,
    help: name,
    labelNames: ['project_id'],
    async read(context) {
      reads++;
      const base = await context.shared('base', async () => {
        sharedLoads++;
        return 10;
      });
      return [{ labels: { project_id: 'p1' }, value: base + value }];
    },
  });
  const { scrape } = setup([family('coffer_test_a', 1), family('coffer_test_b', 2)], 60_000);
  const [first, second] = await Promise.all([scrape(), scrape()]);
  assert.equal(first, second);
  assert.match(first, /coffer_test_a\{project_id="p1"\} 11/);
  assert.match(first, /coffer_test_b\{project_id="p1"\} 12/);
  assert.match(first, /coffer_database_metrics_up 1/);
  await scrape();
  assert.equal(reads, 2, 'one read per family for three scrapes within the period');
  assert.equal(sharedLoads, 1, 'the shared rows were loaded once for both families');
});

it('a family that fails reports nothing, the others still report, and coffer_database_metrics_up says 0 until a whole read', async () => {
  let fail = true;
  const { scrape, errors } = setup(
    [
      { name: 'coffer_test_ok', help: 'ok', labelNames: ['project_id'], read: async () => [{ labels: { project_id: 'p1' }, value: 7 }] },
      {
        name: 'coffer_test_flaky',
        help: 'flaky',
        labelNames: ['project_id'],
        read: async () => {
          if (fail) throw new Error('database gone');
          return [{ labels: { project_id: 'p1' }, value: 3 }];
        },
      },
    ],
    0,
  );
  const broken = await scrape();
  assert.match(broken, /coffer_test_ok\{project_id="p1"\} 7/);
  assert.doesNotMatch(broken, /^coffer_test_flaky/m, 'no series, not a 0');
  assert.match(broken, /coffer_database_metrics_up 0/);
  assert.deepEqual(errors, ['coffer_test_flaky']);
  fail = false;
  const whole = await scrape();
  assert.match(whole, /coffer_test_flaky\{project_id="p1"\} 3/);
  assert.match(whole, /coffer_database_metrics_up 1/);
});

it('refuses a family name defined twice, and a family without labels', () => {
  const twice: DatabaseGaugeFamily = { name: 'coffer_test_twice', help: 'x', labelNames: ['project_id'], read: async () => [] };
  assert.throws(() => setup([twice, twice], 0), /defined twice/);
  assert.throws(() => setup([{ ...twice, labelNames: [] }], 0), /needs at least one label/);
});

it('renders every sample of a large family, label values escaped as the text format wants, and lets other work run meanwhile', async () => {
  const agents = 5_000;
  const { scrape } = setup(
    [
      {
        name: 'coffer_test_fleet',
        help: 'a fleet \\ with "quotes"\nand lines',
        labelNames: ['project_id', 'agent_name'],
        read: async () => Array.from({ length: agents }, (_, i) => ({ labels: { project_id: 'p1', agent_name: `web "${i}" \\ \n` }, value: i })),
      },
    ],
    0,
  );
  let turns = 0;
  const ticker = setInterval(() => turns++, 0);
  const text = await scrape();
  clearInterval(ticker);
  assert.match(text, /^# HELP coffer_test_fleet a fleet \\\\ with "quotes"\\nand lines$/m);
  const lines = text.split('\n').filter((line) => line.startsWith('coffer_test_fleet{'));
  assert.equal(lines.length, agents);
  assert.equal(lines[7], 'coffer_test_fleet{project_id="p1",agent_name="web \\"7\\" \\\\ \\n"} 7');
  assert.ok(turns > 0, 'timers ran while the text was rendered');
});
