import { entryNameProblem } from '../../engine/vault/entry-name.js';
import { BodyCheck } from '../common/body-check.js';

export interface BrowseItem {
  name: string;
  name_encoded?: string | null;
  bytes: number;
  mime_type: string;
}

export interface BrowseResultMessage {
  succeeded: boolean;
  path: string;
  pathEncoded: string | null;
  items: BrowseItem[];
}

const MAX_ITEMS = 10_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The exact bytes `encoded` stands for when it is canonical base64 (what agents send for non-UTF-8 names). */
function decodedBase64(encoded: string): Buffer | undefined {
  if (!BASE64.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, 'base64');
  return bytes.toString('base64') === encoded ? bytes : undefined;
}

/** A listed directory: absolute, without `.`, `..` or NUL components (an empty one is a doubled or final slash). */
function pathProblem(bytes: Buffer): string | undefined {
  if (bytes[0] !== 0x2f) return 'is not an absolute path';
  if (bytes.includes(0)) return 'contains a NUL byte';
  const parts = bytes.toString('latin1').split('/');
  if (parts.some((part) => part === '.' || part === '..')) return 'has a "." or ".." component';
  return undefined;
}

/** What the agent found: `{succeeded, path, path_encoded, items: [{name, name_encoded, bytes, mime_type}]}`. */
export function parseBrowseResult(body: unknown): BrowseResultMessage {
  const check = BodyCheck.object(body);
  const succeeded = check.boolean('succeeded', { required: true });
  const path = check.string('path', { required: true, maxLength: 4096 });
  const pathEncoded = check.string('path_encoded', { nullable: true, maxLength: 8192 }) ?? null;
  if (typeof path === 'string') {
    const problem = pathProblem(Buffer.from(path));
    if (problem) check.problem(`path ${problem}.`);
  }
  if (typeof pathEncoded === 'string' && pathEncoded !== '') {
    const bytes = decodedBase64(pathEncoded);
    const problem = bytes ? pathProblem(bytes) : 'is not base64';
    if (problem) check.problem(`path_encoded ${problem}.`);
  }
  const seen = new Set<string>();
  const list = check.array('items') ?? [];
  if (list.length > MAX_ITEMS) check.problem(`items may list at most ${MAX_ITEMS} entries.`);
  const items = list.slice(0, MAX_ITEMS).flatMap((raw, index): BrowseItem[] => {
    const item = raw as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      check.problem(`items[${index}] must be an object.`);
      return [];
    }
    if (typeof item.name !== 'string') check.problem(`items[${index}].name must be a string.`);
    if (item.name_encoded !== undefined && item.name_encoded !== null && typeof item.name_encoded !== 'string') check.problem(`items[${index}].name_encoded must be a string.`);
    if (!Number.isSafeInteger(item.bytes) || (item.bytes as number) < 0) check.problem(`items[${index}].bytes must be a non-negative integer.`);
    if (typeof item.mime_type !== 'string' || item.mime_type.length > 255) check.problem(`items[${index}].mime_type must be a string of at most 255 characters.`);
    // Names are one path component each, once per listing: a console or a restore built from them stays in place.
    if (typeof item.name === 'string') {
      const encoded = typeof item.name_encoded === 'string' && item.name_encoded !== '' ? item.name_encoded : undefined;
      const bytes = encoded === undefined ? Buffer.from(item.name) : decodedBase64(encoded);
      const problem = bytes ? entryNameProblem(bytes) : 'name_encoded is not base64';
      if (problem) check.problem(`items[${index}]: ${problem}.`);
      else if (seen.has(bytes!.toString('latin1'))) check.problem(`items[${index}]: another item has the same name.`);
      else seen.add(bytes!.toString('latin1'));
    }
    const entry: BrowseItem = { name: item.name as string, bytes: item.bytes as number, mime_type: item.mime_type as string };
    if (item.name_encoded !== undefined) entry.name_encoded = item.name_encoded as string | null;
    return [entry];
  });
  check.done();
  return { succeeded: succeeded as boolean, path: path as string, pathEncoded, items };
}
