import type { Urls } from '../../server/links.js';
import type { Store } from '../../store/store.js';
import { listJobRows, readJobRows, type JobListOptions, type JobRowAt } from './job-list.js';
import { JOB_TABLES, KeptPageRows } from './kept-page-rows.js';
import { JoinedPages, ListItemJson, type RowRevision } from './list-item-json.js';

const REVISION_COLUMNS = ['seq', 'revision'] as const;

/**
 * A job list whose items depend on their row alone, answered from kept items: a page reads its rows' seq and revision
 * (or finds them kept, KeptPageRows), reads and presents only the rows whose item is not kept at that revision
 * (ListItemJson), and is the items' JSON joined (JoinedPages), byte for byte what JSON.stringify makes of the whole
 * page.
 */
export class KeptItemsList {
  readonly #items: ListItemJson;
  readonly #rows: KeptPageRows<RowRevision>;
  readonly #pages: JoinedPages;

  constructor(
    private readonly store: Store,
    collection: string,
    /** The columns an item is made from, and how it is made from them. */
    private readonly item: { columns: JobListOptions['columns']; present(row: JobRowAt, urls: Urls): unknown },
  ) {
    this.#items = new ListItemJson(() => store.tablesVersion?.([]));
    this.#rows = new KeptPageRows(store);
    this.#pages = new JoinedPages(collection);
  }

  /** The page's body; `links` gives its links from its items' ids (undefined for none). */
  async page(options: Omit<JobListOptions, 'columns'>, urls: Urls, links: (items: { id: string }[]) => unknown): Promise<Buffer> {
    const { db, capabilities } = this.store;
    const readRevisions = async () => (await listJobRows(db, capabilities.engine, { ...options, columns: REVISION_COLUMNS })) as RowRevision[];
    const { page } = options;
    const key = `${options.projectId}\n${options.kind}\n${page.sortDir}\n${page.limit}\n${page.marker ?? ''}`;
    for (;;) {
      const jobsVersion = this.store.tablesVersion?.(JOB_TABLES);
      const revisions = options.filter ? await readRevisions() : await this.#rows.read(key, jobsVersion, readRevisions);
      const items = await this.#items.items(
        revisions,
        urls,
        (seqs) => readJobRows(db, this.item.columns, seqs),
        (row) => this.item.present(row, urls),
        jobsVersion,
      );
      // A job of the page was deleted after its seq was read: read the page again.
      if (!items) continue;
      return this.#pages.body(`${urls.base}\n${key}`, items.json, links(items.ids.map((id) => ({ id }))));
    }
  }
}
