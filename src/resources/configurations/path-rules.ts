import type { ExclusionItem, PathItem } from './configuration.js';

/**
 * The §3.2 rules between inclusions and exclusions. Paths are compared as the agent wrote them; a folder's trailing
 * separator is optional ("/web" and "/web/" are the same folder) and both "/" and "\" separate (Windows hosts).
 * Every check is a map lookup per ancestor of a path, so a 1 MB list is judged in linear time.
 */
export function pathListProblems(inclusions: readonly PathItem[], allExclusions: readonly ExclusionItem[]): string[] {
  const problems: string[] = [];
  // Patterns and the other extension types are not paths: the rules between paths leave them out (indices kept).
  const exclusions = allExclusions.map((item) => (item.type === 'file' || item.type === 'folder' ? item : undefined));
  const includedAt = firstIndexByPath(inclusions);
  const excludedAt = firstIndexByPath(exclusions);
  const includedFolders = foldersByPath(inclusions);
  const excludedFolders = foldersByPath(exclusions);
  problems.push(...duplicates('inclusions', inclusions, includedAt), ...duplicates('exclusions', exclusions, excludedAt));

  exclusions.forEach((exclusion, index) => {
    if (!exclusion) return;
    const twin = includedAt.get(normalise(exclusion.path));
    if (twin !== undefined) problems.push(`exclusions[${index}].path ${quote(exclusion.path)} is also inclusions[${twin}].path`);
  });

  inclusions.forEach((inclusion, index) => {
    const parent = nearestFolder(inclusion.path, includedFolders);
    if (parent !== undefined) problems.push(`inclusions[${index}].path ${quote(inclusion.path)} is under the inclusion ${quote(parent)}`);
    const excluded = nearestFolder(inclusion.path, excludedFolders);
    if (excluded !== undefined) problems.push(`inclusions[${index}].path ${quote(inclusion.path)} is under the exclusion ${quote(excluded)}`);
  });

  exclusions.forEach((exclusion, index) => {
    if (!exclusion) return;
    const parent = nearestFolder(exclusion.path, excludedFolders);
    if (parent !== undefined) problems.push(`exclusions[${index}].path ${quote(exclusion.path)} is under the exclusion ${quote(parent)}`);
    if (nearestFolder(exclusion.path, includedFolders) === undefined) {
      problems.push(`exclusions[${index}].path ${quote(exclusion.path)} is not under any inclusion`);
    }
  });
  return problems;
}

function duplicates(list: string, items: readonly (PathItem | undefined)[], firstAt: ReadonlyMap<string, number>): string[] {
  const problems: string[] = [];
  items.forEach((item, index) => {
    if (!item) return;
    const first = firstAt.get(normalise(item.path))!;
    if (first < index) problems.push(`${list}[${index}].path ${quote(item.path)} duplicates ${list}[${first}].path`);
  });
  return problems;
}

function firstIndexByPath(items: readonly (PathItem | undefined)[]): Map<string, number> {
  const at = new Map<string, number>();
  items.forEach((item, index) => {
    if (!item) return;
    const key = normalise(item.path);
    if (!at.has(key)) at.set(key, index);
  });
  return at;
}

/** Normalised folder path → the folder as written (its first spelling). */
function foldersByPath(items: readonly (PathItem | undefined)[]): Map<string, string> {
  const folders = new Map<string, string>();
  for (const item of items) {
    if (!item) continue;
    const key = normalise(item.path);
    if (item.type === 'folder' && !folders.has(key)) folders.set(key, item.path);
  }
  return folders;
}

const isSeparator = (char: string | undefined) => char === '/' || char === '\\';

/** A folder's trailing separator is optional; the root ("/") keeps its one character. */
function normalise(path: string): string {
  return path.length > 1 && isSeparator(path[path.length - 1]) ? path.slice(0, -1) : path;
}

/** The deepest listed folder that strictly contains `path`, as written; undefined when none does. */
function nearestFolder(path: string, folders: ReadonlyMap<string, string>): string | undefined {
  const own = normalise(path);
  if (own.length <= 1) return undefined;
  for (let at = own.length - 1; at >= 0; at--) {
    if (!isSeparator(own[at])) continue;
    // "/web/cache" has the ancestors "/web" and "/"; "C:\Users" has "C:".
    const ancestor = own.slice(0, at === 0 ? 1 : at);
    const folder = folders.get(ancestor);
    if (folder !== undefined) return folder;
  }
  return undefined;
}

function quote(path: string): string {
  return JSON.stringify(path);
}
