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
/** A page's row: the columns asked for, and whether the row is settled. */
export type PageRow = Partial<JobRow> & { settled: unknown };

function pageQuery(db: Kysely<Database>, columns: readonly (keyof JobRow)[], projectId: string, kind: string, sortDir: SortDir, marker: StreamPosition | undefined, horizon: CommitHorizon) {
  let query = db.selectFrom('jobs').select(columns).select(settledSql(horizon).as('settled')).where('project_id', '=', projectId).where('kind', '=', kind);
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

/** Largest number of rows one statement of readJobRows reads (a page has at most MAX_LIMIT). */
const BY_SEQ_CHUNK = 1024;
/** A job's row read by seq: `columns`, and the row's seq, revision and id. */
export type JobRowAt = Partial<JobRow> & Pick<JobRow, 'seq' | 'revision' | 'id'>;
const bySeqQueries = new Map<string, PrecompiledQuery<JobRowAt, unknown[]>>();

/**
 * `columns`, seq, revision and id of the jobs whose seq is in `seqs` (those that still exist), in no particular
 * order. Compiled once per set of columns and per power of two of the count, the list padded with its last seq.
 */
export async function readJobRows(db: Kysely<Database>, columns: readonly (keyof JobRow)[], seqs: readonly number[]): Promise<JobRowAt[]> {
  const rows: JobRowAt[] = [];
  for (let start = 0; start < seqs.length; start += BY_SEQ_CHUNK) {
    const chunk = seqs.slice(start, start + BY_SEQ_CHUNK);
    let size = 1;
    while (size < chunk.length) size *= 2;
    const args: unknown[] = [...chunk];
    while (args.length < size) args.push(chunk.at(-1));
    rows.push(...(await bySeqQuery(columns, size).execute(db, ...args)).rows);
  }
  return rows;
}

function bySeqQuery(columns: readonly (keyof JobRow)[], size: number) {
  const key = `${columns.join(',')}:${size}`;
  let query = bySeqQueries.get(key);
  if (query === undefined) {
    const selected = [...new Set([...columns, 'seq', 'revision', 'id'] as const)];
    query = new PrecompiledQuery<JobRowAt, unknown[]>(size, (db, $) =>
      db
        .selectFrom('jobs')
        .select(selected)
        .where(
          'seq',
          'in',
          Array.from({ length: size }, (_, i) => $(i)),
        ),
    );
    bySeqQueries.set(key, query);
  }
  return query;
}
