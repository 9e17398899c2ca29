import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { Database, JobsTable } from '../../store/database.js';
import { PrecompiledQuery } from '../../store/precompiled-query.js';
import type { JobKind } from '../../domain/job-states.js';
import { beyondSql, cutAtHorizon, readCommitHorizon, settledSql, streamOrderSql, type CommitHorizon, type StreamPosition } from '../../store/commit-order.js';
import type { Engine } from '../../store/store.js';
import { unknownMarker, type PageQuery, type SortDir } from '../common/v2-pagination.js';

/** A query on jobs, whatever it selects: list filters add conditions and keep the selection. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kysely's own spelling of "any selection"
export type JobsQuery = SelectQueryBuilder<Database, 'jobs', any>;

export interface JobListOptions {
  projectId: string;
  kind: JobKind;
  /** The columns to read (what the page's items show; jobColumns gives them for some fields). */
  columns: readonly (keyof JobRow)[];
  page: PageQuery;
  /** Extra conditions (restorable, configuration_id, …). */
  filter?: (query: JobsQuery) => JobsQuery;
}

/**
 * One keyset page of job rows in the order their creations committed (src/store/commit-order.ts), so a client paging
 * ascending never misses a job created concurrently; costs the same at the first row and the ten-millionth.
 */
export async function listJobRows(db: Kysely<Database>, engine: Engine, options: JobListOptions): Promise<PageRow[]> {
  const { page } = options;
  const horizon = await readCommitHorizon(db, engine);
  let marker: StreamPosition | undefined;
  if (page.marker !== undefined) {
    const row = await MARKER.first(db, page.marker, options.projectId, options.kind);
    if (!row) throw unknownMarker(page.marker);
    marker = { commitTx: Number(row.commit_tx), id: Number(row.seq) };
  }
  if (!options.filter) {
    // The lists without extra filters (every cleanup and restore page, the first page of backups): compiled once.
    const args: unknown[] = [options.projectId, options.kind, page.limit];
    if (marker) args.push(marker.commitTx, marker.id);
    if (horizon !== null) args.push(String(horizon));
    const query = plainPageQuery(options.columns, page.sortDir, marker !== undefined, horizon !== null);
    return cutAtHorizon((await query.execute(db, ...args)).rows).rows;
  }
  const query = options.filter(pageQuery(db, options.columns, options.projectId, options.kind, page.sortDir, marker, horizon));
  return cutAtHorizon((await query.limit(page.limit).execute()) as PageRow[]).rows;
}

const MARKER = new PrecompiledQuery(3, (db, $) => db.selectFrom('jobs').select(['commit_tx', 'seq']).where('id', '=', $(0)).where('project_id', '=', $(1)).where('kind', '=', $(2)));

type JobRow = Selectable<JobsTable>;
/** A page's row: the columns asked for (the job's id always among them), and whether the row is settled. */
export type PageRow = Partial<JobRow> & { id: string; settled: unknown };

function pageQuery(db: Kysely<Database>, columns: readonly (keyof JobRow)[], projectId: string, kind: string, sortDir: SortDir, marker: StreamPosition | undefined, horizon: CommitHorizon) {
  const selected = columns.includes('id') ? columns : ['id' as const, ...columns];
  let query = db.selectFrom('jobs').select(selected).select(settledSql(horizon).as('settled')).where('project_id', '=', projectId).where('kind', '=', kind);
  if (marker) query = query.where(beyondSql(marker, 'seq', sortDir));
  // Descending, the newest rows come first: leave out the unsettled ones rather than stop at them.
  if (sortDir === 'desc') query = query.where(settledSql(horizon));
  return query.orderBy(streamOrderSql('seq', sortDir));
}

const plainPageQueries = new Map<string, PrecompiledQuery<PageRow, unknown[]>>();

/** Arguments: project, kind, limit, then the marker's commit_tx and seq (with a marker), then the horizon (PostgreSQL). */
function plainPageQuery(columns: readonly (keyof JobRow)[], sortDir: SortDir, withMarker: boolean, withHorizon: boolean) {
  const key = `${columns.join(',')}:${sortDir}:${withMarker}:${withHorizon}`;
  let query = plainPageQueries.get(key);
  if (query === undefined) {
    const horizonAt = withMarker ? 5 : 3;
    query = new PrecompiledQuery(horizonAt + (withHorizon ? 1 : 0), (db, $) =>
      pageQuery(db, columns, $(0), $(1), sortDir, withMarker ? { commitTx: $(3), id: $(4) } : undefined, withHorizon ? $(horizonAt) : null).limit($(2)),
    );
    plainPageQueries.set(key, query);
  }
  return query;
}
