import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { Database, JobsTable } from '../../store/database.js';
import { PrecompiledQuery } from '../../store/precompiled-query.js';
import type { JobKind } from '../../domain/state-machines/job-machines.js';
import { beyondSql, cutAtHorizon, settledSql, streamOrderSql, type StreamPosition } from '../../store/commit-order.js';
import type { Engine } from '../../store/store.js';
import { unknownMarker, type PageQuery, type SortDir } from '../common/v2-pagination.js';

export interface JobListOptions {
  projectId: string;
  kind: JobKind;
  page: PageQuery;
  /** Extra conditions (restorable, configuration_id, …). */
  filter?: (query: SelectQueryBuilder<Database, 'jobs', any>) => SelectQueryBuilder<Database, 'jobs', any>;
}

/**
 * One keyset page of job rows in the order their creations committed (src/store/commit-order.ts), so a client paging
 * ascending never misses a job created concurrently; costs the same at the first row and the ten-millionth.
 */
export async function listJobRows(db: Kysely<Database>, engine: Engine, options: JobListOptions): Promise<Selectable<JobsTable>[]> {
  const { page } = options;
  let marker: StreamPosition | undefined;
  if (page.marker !== undefined) {
    const row = await MARKER.first(db, page.marker, options.projectId, options.kind);
    if (!row) throw unknownMarker(page.marker);
    marker = { commitTx: Number(row.commit_tx), id: Number(row.seq) };
  }
  if (!options.filter) {
    // The lists without extra filters (every first page, every page of cleanups and restores): compiled once.
    const query = plainPageQuery(engine, page.sortDir, marker !== undefined);
    const args = marker ? [options.projectId, options.kind, page.limit, marker.commitTx, marker.id] : [options.projectId, options.kind, page.limit];
    return cutAtHorizon((await query.execute(db, ...args)).rows).rows;
  }
  let query = pageQuery(db, engine, options.projectId, options.kind, page.sortDir, marker);
  query = options.filter(query);
  return cutAtHorizon(await query.limit(page.limit).execute()).rows;
}

const MARKER = new PrecompiledQuery(3, (db, $) => db.selectFrom('jobs').select(['commit_tx', 'seq']).where('id', '=', $(0)).where('project_id', '=', $(1)).where('kind', '=', $(2)));

function pageQuery(db: Kysely<Database>, engine: Engine, projectId: string, kind: string, sortDir: SortDir, marker: StreamPosition | undefined) {
  let query = db.selectFrom('jobs').selectAll().select(settledSql(engine).as('settled')).where('project_id', '=', projectId).where('kind', '=', kind);
  if (marker) query = query.where(beyondSql(marker, 'seq', sortDir));
  // Descending, the newest rows come first: leave out the unsettled ones rather than stop at them.
  if (sortDir === 'desc') query = query.where(settledSql(engine));
  return query.orderBy(streamOrderSql('seq', sortDir));
}

const plainPageQueries = new Map<string, PrecompiledQuery<Selectable<JobsTable> & { settled: unknown }, unknown[]>>();

function plainPageQuery(engine: Engine, sortDir: SortDir, withMarker: boolean) {
  const key = `${engine}:${sortDir}:${withMarker}`;
  let query = plainPageQueries.get(key);
  if (!query) {
    query = new PrecompiledQuery(withMarker ? 5 : 3, (db, $) =>
      pageQuery(db, engine, $(0), $(1), sortDir, withMarker ? { commitTx: $(3), id: $(4) } : undefined).limit($(2)),
    );
    plainPageQueries.set(key, query);
  }
  return query;
}
