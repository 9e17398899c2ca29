import { BodyCheck } from '../shared/body-check.js';

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

/** What the agent found: `{succeeded, path, path_encoded, items: [{name, name_encoded, bytes, mime_type}]}`. */
export function parseBrowseResult(body: unknown): BrowseResultMessage {
  const check = BodyCheck.object(body);
  const succeeded = check.boolean('succeeded', { required: true });
  const path = check.string('path', { required: true, maxLength: 4096 });
  const pathEncoded = check.string('path_encoded', { nullable: true, maxLength: 8192 }) ?? null;
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
    if (typeof item.mime_type !== 'string') check.problem(`items[${index}].mime_type must be a string.`);
    const entry: BrowseItem = { name: item.name as string, bytes: item.bytes as number, mime_type: item.mime_type as string };
    if (item.name_encoded !== undefined) entry.name_encoded = item.name_encoded as string | null;
    return [entry];
  });
  check.done();
  return { succeeded: succeeded as boolean, path: path as string, pathEncoded, items };
}
