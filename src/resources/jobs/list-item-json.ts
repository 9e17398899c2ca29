import type { Urls } from '../../server/links.js';

interface Entry {
  row: Record<string, unknown>;
  base: string;
  projectId: string;
  json: string;
}

const MAX_ENTRIES = 20_000;

/**
 * The JSON text of job list items, kept per job while its row is the same column for column. Without it, every
 * request for a page of 100 jobs parses each row's JSON columns, builds its representation and links, and
 * serialises it again, though most rows have not changed since the last request.
 *
 * Only for representations that depend on nothing but the job's row and the request's URLs: the row read for the
 * page is compared with the one the text was made from, every column (a job changed in any way, by any writer, is
 * presented again).
 */
export class ListItemJson {
  readonly #entries = new Map<string, Entry>();

  /** The item's JSON text: the kept one when `row` is unchanged, otherwise `present()` serialised (and kept). */
  of(row: Record<string, unknown> & { id: string }, urls: Urls, present: () => unknown): string {
    const kept = this.#entries.get(row.id);
    if (kept && kept.base === urls.base && kept.projectId === urls.projectId && sameRow(kept.row, row)) return kept.json;
    const json = JSON.stringify(present());
    if (!kept && this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(row.id, { row, base: urls.base, projectId: urls.projectId, json });
    return json;
  }
}

function sameRow(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  let columns = 0;
  for (const column in b) {
    if (a[column] !== b[column]) return false;
    columns++;
  }
  return columns === Object.keys(a).length;
}
