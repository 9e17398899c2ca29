import type { Urls } from '../../server/links.js';

interface Entry {
  row: Record<string, unknown>;
  base: string;
  projectId: string;
  json: Buffer;
}

const MAX_ENTRIES = 20_000;

/**
 * The JSON text (UTF-8) of job list items, kept per job while the columns its item is made from are the same.
 * Without it, every request for a page of 100 jobs parses each row's JSON columns, builds its representation and
 * links, and serialises it again, though most rows have not changed since the last request.
 *
 * Only for representations made from nothing but the row's columns that are read (the presenter's fields, whose
 * type allows no other) and the request's URLs: the row read for the page is compared with the one the text was made
 * from, column for column, so a change to any of them, by any writer, with or without a new version, is presented
 * again; a change to a column the item does not show cannot change its text.
 */
export class ListItemJson {
  readonly #entries = new Map<string, Entry>();

  /** The item's JSON: the kept one when `row` is unchanged, otherwise `present()` serialised (and kept). */
  of(row: Record<string, unknown> & { id: string }, urls: Urls, present: () => unknown): Buffer {
    const kept = this.#entries.get(row.id);
    if (kept && kept.base === urls.base && kept.projectId === urls.projectId && sameRow(kept.row, row)) return kept.json;
    const json = Buffer.from(JSON.stringify(present()));
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

const COMMA = Buffer.from(',');

/**
 * The bytes JSON.stringify makes of `{ [collection]: items, links }` (links left out when undefined), from each
 * item's JSON: one Buffer, so the body goes to the socket as it is, with its length known, instead of as a string
 * encoded to UTF-8 on every write.
 */
export function jsonListPage(collection: string, items: readonly Buffer[], links: unknown): Buffer {
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(collection)}:[`)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(items[i]!);
  }
  parts.push(Buffer.from(links === undefined ? ']}' : `],"links":${JSON.stringify(links)}}`));
  return Buffer.concat(parts);
}
