import picomatch from 'picomatch';
import { entryNameProblem } from '../vault/entry-name.js';
import type { PathRule } from './path-filter.js';

/**
 * What a backup leaves out. `file` and `folder` are the Cloud Backup exclusions (exact paths); the other types
 * extend them the way restic's flags do:
 * - `pattern`: a glob (`*.log`, `**\/node_modules`, `/srv/www/cache/**`); `ignore_case` matches case-insensitively;
 * - `if_present`: a directory holding an entry with this name (e.g. `.nobackup`) is left out whole;
 * - `caches`: a directory holding a CACHEDIR.TAG file with the standard signature is left out whole;
 * - `larger_than`: files of more than `size` bytes are left out;
 * - `other_file_systems`: the walk stays on the file system of each backup root (mount points are kept, empty).
 */
export type Exclusion =
  | PathRule
  | { type: 'pattern'; path: string; ignore_case?: boolean }
  | { type: 'if_present'; path: string }
  | { type: 'caches' }
  | { type: 'larger_than'; size: number }
  | { type: 'other_file_systems' };

export const EXCLUSION_TYPES = ['file', 'folder', 'pattern', 'if_present', 'caches', 'larger_than', 'other_file_systems'] as const;

const MAX_PATTERN_LENGTH = 4096;

/**
 * Options every pattern is compiled with: `*` matches names starting with a dot too (as restic's do), a leading
 * `!` is an ordinary character (no negation that would turn an exclusion into "everything else"), and an
 * unbalanced bracket is an error instead of a literal.
 */
const PATTERN_OPTIONS = { dot: true, nonegate: true, strictBrackets: true } as const;

/** Why `pattern` is not a usable glob, or undefined. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  if (pattern.includes('\0')) return 'contains a NUL character';
  if (/(^|\/)\.\.?(\/|$)/.test(pattern)) return 'contains a "." or ".." component (patterns match absolute paths)';
  if (/(^|[^\\])(\\\\)*\\$/.test(pattern)) return 'ends with a lone backslash';
  try {
    picomatch.makeRe(pattern, PATTERN_OPTIONS);
  } catch (err) {
    return `is not a valid glob: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * A matcher for absolute paths. A pattern starting with `/` is anchored at the root; any other pattern matches at
 * any depth (`*.log` matches `/var/log/app.log`, `cache/*` matches `/home/me/cache/x`).
 */
export function compilePattern(pattern: string, ignoreCase = false): (absolutePath: string) => boolean {
  const anchored = pattern.startsWith('/');
  const body = anchored ? pattern.replace(/^\/+/, '') : `**/${pattern}`;
  const match = picomatch(body, { ...PATTERN_OPTIONS, nocase: ignoreCase });
  return (absolutePath) => absolutePath !== '/' && match(absolutePath.replace(/^\/+/, ''));
}

/**
 * Checks one exclusion from outside (a configuration, an agent's document, a command line). Returns the problem
 * and the field it is about, or undefined when the item is usable as it is.
 */
export function exclusionProblem(item: unknown): { field: string; problem: string } | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return { field: 'type', problem: 'must be given (the item must be an object with a type)' };
  const fields = item as Record<string, unknown>;
  switch (fields.type) {
    case 'file':
    case 'folder':
      return typeof fields.path === 'string' && fields.path.trim() !== '' ? undefined : { field: 'path', problem: 'must be a non-empty string' };
    case 'pattern': {
      if (typeof fields.path !== 'string') return { field: 'path', problem: 'must be a glob pattern (a string)' };
      const problem = patternProblem(fields.path);
      if (problem) return { field: 'path', problem };
      if (fields.ignore_case !== undefined && typeof fields.ignore_case !== 'boolean') return { field: 'ignore_case', problem: 'must be true or false' };
      return undefined;
    }
    case 'if_present': {
      if (typeof fields.path !== 'string') return { field: 'path', problem: 'must be a file name (a string)' };
      const problem = entryNameProblem(Buffer.from(fields.path, 'utf8'));
      return problem ? { field: 'path', problem: `must be one file name (${problem.replace(/^the name /, '')})` } : undefined;
    }
    case 'larger_than':
      return Number.isSafeInteger(fields.size) && (fields.size as number) > 0 ? undefined : { field: 'size', problem: 'must be a whole number of bytes above 0' };
    case 'caches':
    case 'other_file_systems':
      return undefined;
    default:
      return { field: 'type', problem: `must be one of ${EXCLUSION_TYPES.join(', ')}` };
  }
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "500", "512K", "10M", "1.5G", "2T" (binary units, an optional trailing "B" or "iB") → bytes; undefined if not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
