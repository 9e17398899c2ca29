import { ACTIVITY_COUNT_FAMILIES } from './activity-counts.families.js';
import { AGENT_PRESENCE_FAMILIES } from './agent-presence.families.js';
import { BACKUP_HEALTH_FAMILIES } from './backup-health.families.js';
import type { DatabaseGaugeFamily } from './database-gauges.js';
import { DRILL_FAMILIES } from '../drills/drill-metrics.families.js';

/**
 * Every gauge on /metrics whose values come from the database (cached for COFFER_METRICS_CACHE_SECONDS, so every
 * node reports the same values).
 *
 * To add a family, append one entry to this array, written inline here (or imported from your feature's folder):
 *   { name: 'coffer_drill_last_success_timestamp_seconds', help: '…', labelNames: ['project_id', …],
 *     async read({ db, now }) { const rows = await db.selectFrom(…)…execute(); return rows.map((r) => ({ labels: {…}, value: … })); } }
 * No other code changes: the cache, the prom-client gauge and /metrics pick it up. Add its row to the table in
 * docs/monitoring.md too (test/api/monitoring-docs.test.ts fails until it is there).
 * Labels must stay bounded: ids and names of projects, agents, configurations; never one series per job.
 * Families built from the same rows share one query per scrape through `context.shared(key, load)`.
 */
export const DATABASE_GAUGE_FAMILIES: readonly DatabaseGaugeFamily[] = [...BACKUP_HEALTH_FAMILIES, ...AGENT_PRESENCE_FAMILIES, ...ACTIVITY_COUNT_FAMILIES, ...DRILL_FAMILIES];
