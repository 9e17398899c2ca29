import type { Urls } from '../../server/links.js';

/** Where a job's row stands: its seq and revision (migration 0310), which name one content of the row. */
export interface RowRevision {
  seq: unknown;
  revision: unknown;
}

/** A job's row as read for its item: its seq, revision and id beside the columns the item is made from. */
export type ItemRow = RowRevision & { id?: string };

interface Entry {
  revision: number;
  id: string;
  base: string;
  projectId: string;
  json: Buffer;
}

const MAX_ENTRIES = 20_000;

/**
 * The JSON (UTF-8) of job list items, kept per job while its row is at the same revision. Without it, every request
 * for a page of 100 jobs reads every column its items show, parses each row's JSON columns, builds its representation
 * and links, and serialises it again, though most rows have not changed since the last request. With it, a page reads
 * each row's seq and revision, and reads and presents only the rows that changed.
 *
 * Why a kept item is never stale: every UPDATE of a job moves its revision (a trigger, whoever the writer and
 * whatever the columns), a deleted job's seq is never used again, and an item is kept with the revision read in the
 * same statement as the columns it was made from. What SQLite lets a reader see before it is durable (a group commit's
 * batch) can still be undone by a failed COMMIT, after which a revision could come back with other content: the
 * store's `tablesVersion([])` moves on every rollback (and on commits by other connections), and then everything
 * kept is dropped. PostgreSQL readers see only committed rows.
 *
 * Only for representations made from nothing but the row's columns (the presenter's fields, whose type allows no
 * other) and the request's URLs.
 */
export class ListItemJson {
  readonly #entries = new Map<number, Entry>();
  #undone: number | undefined;
  #jobsVersion: number | undefined;

  /** `undone`: a number that moves whenever rows this process may have read can have been rolled back. */
  constructor(private readonly undone: () => number | undefined) {}

  /**
   * The JSON of each row's item, in the page's order, and the items' ids. Rows not kept at their revision are read
   * with `read` (by seq; it returns the rows that still exist, each with its seq, revision and id) and presented.
   * Null when a row of the page no longer exists when it is read. `jobsVersion`: the store's tablesVersion(['jobs'])
   * read just now, if it has one; while it stays the same nothing can have been undone either, and `undone` is not
   * asked (it counts a part of what moves that version).
   */
  async items<Row extends ItemRow>(
    page: readonly RowRevision[],
    urls: Urls,
    read: (seqs: number[]) => Promise<Row[]>,
    present: (row: Row) => unknown,
    jobsVersion?: number,
  ): Promise<{ json: Buffer[]; ids: string[] } | null> {
    if (jobsVersion === undefined || jobsVersion !== this.#jobsVersion) {
      const undone = this.undone();
      if (undone !== this.#undone) {
        this.#entries.clear();
        this.#undone = undone;
      }
      this.#jobsVersion = jobsVersion;
    }
    const json = new Array<Buffer>(page.length);
    const ids = new Array<string>(page.length);
    const missing: number[] = [];
    for (let i = 0; i < page.length; i++) {
      const seq = Number(page[i]!.seq);
      const kept = this.#entries.get(seq);
      if (kept && kept.revision === Number(page[i]!.revision) && kept.base === urls.base && kept.projectId === urls.projectId) {
        json[i] = kept.json;
        ids[i] = kept.id;
      } else {
        missing.push(i);
      }
    }
    if (missing.length === 0) return { json, ids };
    const rows = await read(missing.map((i) => Number(page[i]!.seq)));
    const bySeq = new Map(rows.map((row) => [Number(row.seq), row]));
    for (const i of missing) {
      const seq = Number(page[i]!.seq);
      const row = bySeq.get(seq);
      if (!row) return null;
      const entry: Entry = { revision: Number(row.revision), id: row.id!, base: urls.base, projectId: urls.projectId, json: Buffer.from(JSON.stringify(present(row))) };
      if (!this.#entries.has(seq) && this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(seq, entry);
      json[i] = entry.json;
      ids[i] = entry.id;
    }
    return { json, ids };
  }
}

const COMMA = Buffer.from(',');

/**
 * The bytes JSON.stringify makes of `{ [collection]: items, links }` (links, already as JSON, left out when
 * undefined), from each item's JSON: one Buffer, so the body goes to the socket as it is, with its length known,
 * instead of as a string encoded to UTF-8 on every write.
 */
function joinedPage(collection: string, items: readonly Buffer[], linksJson: string | undefined): Buffer {
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(collection)}:[`)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(items[i]!);
  }
  parts.push(Buffer.from(linksJson === undefined ? ']}' : `],"links":${linksJson}}`));
  return Buffer.concat(parts);
}

/** At most this many bytes of bodies are remembered (a page of 1,000 items is ~600 KB; markers make many pages). */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

/**
 * A page's body (joinedPage), remembering the last one made per page: a page made of the very same item Buffers (the same kept
 * items, so the same rows at the same revisions) and the same links is the same body, and is not joined again
 * (joining ~60 KB costs an allocation outside V8's pool and, at a few thousand pages a second, garbage collections).
 */
export class JoinedPages {
  readonly #last = new Map<string, { items: readonly Buffer[]; linksJson: string | undefined; body: Buffer }>();
  #bytes = 0;

  constructor(private readonly collection: string) {}

  /** `page` names the request's page (its URL's base, project, order, limit and marker). */
  body(page: string, items: readonly Buffer[], links: unknown): Buffer {
    const linksJson = links === undefined ? undefined : JSON.stringify(links);
    const last = this.#last.get(page);
    if (last && last.linksJson === linksJson && sameBuffers(last.items, items)) return last.body;
    const body = joinedPage(this.collection, items, linksJson);
    if (last) this.#forget(page);
    while (this.#last.size > 0 && this.#bytes + body.length > MAX_PAGE_BYTES) this.#forget(this.#last.keys().next().value!);
    if (body.length <= MAX_PAGE_BYTES) {
      this.#last.set(page, { items, linksJson, body });
      this.#bytes += body.length;
    }
    return body;
  }

  #forget(page: string): void {
    this.#bytes -= this.#last.get(page)?.body.length ?? 0;
    this.#last.delete(page);
  }
}

function sameBuffers(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
