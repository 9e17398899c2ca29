import type { Store } from '../../store/store.js';

/** The tables whose version (Store.tablesVersion) says whether a job list page may have changed. */
export const JOB_TABLES = ['jobs'] as const;
/** At most this many rows are kept over all pages (markers and limits up to 1,000 make many pages). */
const MAX_ROWS = 100_000;

/**
 * The rows a job list page query found (seq and revision), kept per query while no statement has written jobs
 * since (Store.tablesVersion: SQLite only; any write to jobs here, a rollback, or a commit by another connection to
 * the file moves it and empties this). A list asked for again while no job changed then costs no query; as soon as
 * one job changes, every page reads its rows again, and the kept items (ListItemJson) spare the rest. Without
 * tablesVersion (PostgreSQL, where other nodes write unseen) nothing is kept.
 */
export class KeptPageRows<Row> {
  readonly #pages = new Map<string, Row[]>();
  #rows = 0;
  #version: number | undefined;

  constructor(private readonly store: Pick<Store, 'tablesVersion'>) {}

  /** `before`: the store's tablesVersion(JOB_TABLES), read just now. */
  async read(key: string, before: number | undefined, query: () => Promise<Row[]>): Promise<Row[]> {
    if (before === undefined) return query();
    if (before !== this.#version) {
      this.#pages.clear();
      this.#rows = 0;
      this.#version = before;
    }
    const kept = this.#pages.get(key);
    if (kept) return kept;
    const rows = await query();
    // Kept only when nothing wrote jobs while the query ran.
    if (this.store.tablesVersion!(JOB_TABLES) === before && this.#version === before && !this.#pages.has(key)) {
      while (this.#pages.size > 0 && this.#rows + rows.length > MAX_ROWS) {
        const oldest = this.#pages.keys().next().value!;
        this.#rows -= this.#pages.get(oldest)!.length;
        this.#pages.delete(oldest);
      }
      this.#rows += rows.length;
      // Shared by every request that finds it.
      this.#pages.set(key, Object.freeze(rows) as Row[]);
    }
    return rows;
  }
}
