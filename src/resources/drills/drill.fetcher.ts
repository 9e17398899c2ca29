import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { drillFromRow, type Drill } from './drill.js';
import { drillRunFromRow, type DrillRun } from './drill-run.js';

/** A drill of the caller's project; another project's is 404. */
export async function fetchDrill(db: Kysely<Database>, projectId: string, id: string): Promise<Drill> {
  const row = await db.selectFrom('drills').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound(`Drill ${id} not found.`);
  return drillFromRow(row);
}

export async function listDrills(db: Kysely<Database>, projectId: string, filter: { configurationId?: string } = {}): Promise<Drill[]> {
  let query = db.selectFrom('drills').selectAll().where('project_id', '=', projectId);
  if (filter.configurationId) query = query.where('configuration_id', '=', filter.configurationId);
  return (await query.orderBy('seq').execute()).map(drillFromRow);
}

/** A run of a drill of the caller's project; another project's is 404. */
export async function fetchDrillRun(db: Kysely<Database>, projectId: string, id: string): Promise<DrillRun> {
  const row = await db.selectFrom('drill_runs').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound(`Drill run ${id} not found.`);
  return drillRunFromRow(row);
}

/** Runs newest first, paged by keyset: `marker` is the id of the last run seen. */
export async function listDrillRuns(db: Kysely<Database>, projectId: string, options: { drillId?: string; limit: number; marker?: string }): Promise<DrillRun[]> {
  let query = db.selectFrom('drill_runs').selectAll().where('project_id', '=', projectId);
  if (options.drillId) query = query.where('drill_id', '=', options.drillId);
  if (options.marker) {
    const marker = await db.selectFrom('drill_runs').select('seq').where('id', '=', options.marker).where('project_id', '=', projectId).executeTakeFirst();
    if (!marker) throw notFound(`Drill run ${options.marker} (the marker) not found.`);
    query = query.where('seq', '<', marker.seq);
  }
  return (await query.orderBy('seq', 'desc').limit(options.limit).execute()).map(drillRunFromRow);
}

/** The latest run of each of these drills. */
export async function latestRuns(db: Kysely<Database>, drillIds: string[]): Promise<Map<string, DrillRun>> {
  if (drillIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('drill_runs')
    .selectAll()
    .where('seq', 'in', (eb) =>
      eb
        .selectFrom('drill_runs')
        .select((e) => e.fn.max('seq').as('seq'))
        .where('drill_id', 'in', drillIds)
        .groupBy('drill_id'),
    )
    .execute();
  return new Map(rows.map((row) => [row.drill_id, drillRunFromRow(row)]));
}
