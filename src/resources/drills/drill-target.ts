import path from 'node:path';

export const MAX_TARGET_PATH = 4096;

/**
 * What the server can judge of a drill's scratch folder before any agent sees it: an absolute, normalised POSIX
 * path that is not the root. Whether the folder is empty only its agent knows: the server asks it when the drill is
 * saved or started (drill-target-check.ts), and the agent checks again before it restores anything.
 * Returns the problem, naming `field`, or null.
 */
export function targetPathProblem(value: string, field = 'target_path'): string | null {
  if (value.length > MAX_TARGET_PATH) return `${field} must be at most ${MAX_TARGET_PATH} characters.`;
  if (value.includes('\0')) return `${field} must not contain NUL characters.`;
  if (!value.startsWith('/')) return `${field} must be an absolute path (starting with "/").`;
  if (path.posix.normalize(value) === '/') return `${field} must not be "/": a drill restores into a scratch folder of its own, which it removes afterwards.`;
  const segments = value.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return `${field} must not contain "." or ".." segments.`;
  if (segments.slice(0, -1).some((s) => s === '') || value.endsWith('//')) return `${field} must not contain empty segments ("//").`;
  return null;
}

/** The path as stored: without a trailing slash. */
export function normaliseTargetPath(value: string): string {
  return value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
}
