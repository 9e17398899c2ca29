import { Gauge, type Registry } from 'prom-client';
import type { AppContext } from '../../server/context.js';

/**
 * `coffer_drill_last_success_timestamp_seconds{project, drill, drill_name, configuration}`: when each drill last
 * passed (Unix seconds), 0 for a drill that never did, so `time() - coffer_drill_last_success_timestamp_seconds > …`
 * alerts on drills that stopped passing as well as on those that never passed. Read from the store at each scrape,
 * so every API node reports the same figures.
 */
export function registerDrillMetrics(registry: Registry, ctx: AppContext): void {
  new Gauge({
    name: 'coffer_drill_last_success_timestamp_seconds',
    help: 'When the restore drill last passed, in Unix seconds (0: never)',
    labelNames: ['project', 'drill', 'drill_name', 'configuration'] as const,
    registers: [registry],
    async collect() {
      const rows = await ctx.store.db
        .selectFrom('drills')
        .leftJoin('drill_runs', (join) => join.onRef('drill_runs.drill_id', '=', 'drills.id').on('drill_runs.state', '=', 'passed'))
        .select(['drills.id', 'drills.name', 'drills.project_id', 'drills.configuration_id'])
        .select((eb) => eb.fn.max('drill_runs.ended_at').as('last_passed'))
        .groupBy(['drills.id', 'drills.name', 'drills.project_id', 'drills.configuration_id'])
        .execute();
      this.reset();
      for (const row of rows) {
        const labels = { project: row.project_id, drill: row.id, drill_name: row.name, configuration: row.configuration_id };
        this.set(labels, row.last_passed ? Date.parse(row.last_passed) / 1000 : 0);
      }
    },
  });
}
