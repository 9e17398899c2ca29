import path from 'node:path';

/** An inclusion or exclusion exactly as Cloud Backup configurations and restores define them. */
export interface PathRule {
  type: 'file' | 'folder';
  path: string;
}

/** A path inside a snapshot: absolute, no trailing slash (except `/` itself), `.`/`..` resolved. */
export function normalizePath(p: string): string {
  return path.posix.resolve('/', p);
}

/** A path on this machine: relative paths are taken from the current directory. */
export function localPath(p: string): string {
  return path.resolve(p);
}

/** Rules naming local paths (a backup's inclusions and exclusions), made absolute. */
export function localRules(rules: PathRule[]): PathRule[] {
  return rules.map((r) => ({ type: r.type, path: localPath(r.path) }));
}

/**
 * Decides which absolute paths a backup or restore takes. A folder rule covers the folder and everything below
 * it; a file rule covers exactly that path. With no inclusions, everything is included.
 */
export class PathFilter {
  private readonly includes: PathRule[];
  private readonly excludes: PathRule[];

  constructor(inclusions: PathRule[] = [], exclusions: PathRule[] = []) {
    this.includes = inclusions.map((r) => ({ type: r.type, path: normalizePath(r.path) }));
    this.excludes = exclusions.map((r) => ({ type: r.type, path: normalizePath(r.path) }));
  }

  isExcluded(p: string): boolean {
    return this.excludes.some((r) => covers(r, p));
  }

  /** The path itself is to be taken (included and not excluded). */
  takes(p: string): boolean {
    if (this.isExcluded(p)) return false;
    return this.includes.length === 0 || this.includes.some((r) => covers(r, p));
  }

  /** Worth descending into: taken itself, or an ancestor of an inclusion. */
  leadsToIncluded(dir: string): boolean {
    if (this.isExcluded(dir)) return false;
    if (this.includes.length === 0) return true;
    return this.includes.some((r) => covers(r, dir) || isUnder(r.path, dir));
  }
}

function covers(rule: PathRule, p: string): boolean {
  return rule.path === p || (rule.type === 'folder' && isUnder(p, rule.path));
}

/** `p` is strictly below directory `dir`. */
export function isUnder(p: string, dir: string): boolean {
  if (dir === '/') return p !== '/';
  return p.startsWith(dir) && p[dir.length] === '/';
}
