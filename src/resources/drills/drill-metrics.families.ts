import { epochSeconds, type DatabaseGaugeFamily } from '../metrics/database-gauges.js';
import { DrillRunState } from '../../domain/job-states.js';

/**
 * `coffer_drill_last_success_timestamp_seconds`: when each drill last passed, 0 for one that never did, so
 * `time() - coffer_drill_last_success_timestamp_seconds > …` catches drills that stopped passing and those that
 * never passed alike. One series per drill (never per run).
 */
export const DRILL_FAMILIES: readonly DatabaseGaugeFamily[] = [
  {
    name: 'coffer_drill_last_success_timestamp_seconds',
    help: 'When the restore drill last passed, in Unix seconds (0: never)',
    labelNames: ['project_id', 'drill_id', 'drill_name', 'configuration_id', 'agent_id'],
    async read({ db }) {
      const rows = await db
        .selectFrom('drills')
        .select(['drills.id', 'drills.name', 'drills.project_id', 'drills.configuration_id', 'drills.agent_id'])
        .select((eb) =>
          eb
            .selectFrom('drill_runs')
            .select('drill_runs.ended_at')
            .whereRef('drill_runs.drill_id', '=', 'drills.id')
            .where('drill_runs.state', '=', DrillRunState.passed)
            .orderBy('drill_runs.seq', 'desc')
            .limit(1)
            .as('last_passed'),
        )
        .execute();
      return rows.map((row) => ({
        labels: { project_id: row.project_id, drill_id: row.id, drill_name: row.name, configuration_id: row.configuration_id, agent_id: row.agent_id },
        value: epochSeconds(row.last_passed) ?? 0,
      }));
    },
  },
];
