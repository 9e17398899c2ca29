import type { PathItem } from './configuration.js';

/**
 * The §3.2 rules between inclusions and exclusions. Paths are compared as the agent wrote them; a folder's trailing
 * separator is optional ("/web" and "/web/" are the same folder) and both "/" and "\" separate (Windows hosts).
 */
export function pathListProblems(inclusions: readonly PathItem[], exclusions: readonly PathItem[]): string[] {
  const problems: string[] = [];
  problems.push(...duplicates('inclusions', inclusions), ...duplicates('exclusions', exclusions));

  exclusions.forEach((exclusion, index) => {
    const twin = inclusions.findIndex((inclusion) => samePath(inclusion.path, exclusion.path));
    if (twin >= 0) problems.push(`exclusions[${index}].path ${quote(exclusion.path)} is also inclusions[${twin}].path`);
  });

  inclusions.forEach((inclusion, index) => {
    const parent = inclusions.find((other, at) => at !== index && other.type === 'folder' && isUnder(inclusion.path, other.path));
    if (parent) problems.push(`inclusions[${index}].path ${quote(inclusion.path)} is under the inclusion ${quote(parent.path)}`);
    const excluded = exclusions.find((other) => other.type === 'folder' && isUnder(inclusion.path, other.path));
    if (excluded) problems.push(`inclusions[${index}].path ${quote(inclusion.path)} is under the exclusion ${quote(excluded.path)}`);
  });

  exclusions.forEach((exclusion, index) => {
    const parent = exclusions.find((other, at) => at !== index && other.type === 'folder' && isUnder(exclusion.path, other.path));
    if (parent) problems.push(`exclusions[${index}].path ${quote(exclusion.path)} is under the exclusion ${quote(parent.path)}`);
    const covered = inclusions.some((inclusion) => inclusion.type === 'folder' && isUnder(exclusion.path, inclusion.path));
    if (!covered) problems.push(`exclusions[${index}].path ${quote(exclusion.path)} is not under any inclusion`);
  });
  return problems;
}

function duplicates(list: string, items: readonly PathItem[]): string[] {
  const problems: string[] = [];
  items.forEach((item, index) => {
    const first = items.findIndex((other) => samePath(other.path, item.path));
    if (first < index) problems.push(`${list}[${index}].path ${quote(item.path)} duplicates ${list}[${first}].path`);
  });
  return problems;
}

const SEPARATOR = /[\\/]/;

function trimSeparator(path: string): string {
  return path.length > 1 && SEPARATOR.test(path[path.length - 1]) ? path.slice(0, -1) : path;
}

export function samePath(a: string, b: string): boolean {
  return trimSeparator(a) === trimSeparator(b);
}

/** True when `path` lies strictly inside the folder `folder`. */
export function isUnder(path: string, folder: string): boolean {
  const base = trimSeparator(folder);
  if (samePath(path, folder)) return false;
  if (SEPARATOR.test(base[base.length - 1] ?? '')) return path.startsWith(base); // the root, "/" or "C:\"
  return path.startsWith(base) && SEPARATOR.test(path[base.length] ?? '');
}

function quote(path: string): string {
  return JSON.stringify(path);
}
