import { JsonPatchError, quote } from './json-patch-error.js';
import type { AllowedPath } from './allow-list.js';

/** Why readAllowListPatch refused an operation; `index` is its position in the client's patch. */
export type PatchRefusal =
  /** an op other than add/replace (`allowed` undefined when the path is not listed either), or add where only replace is */
  | {
      readonly reason: 'op';
      readonly index: number;
      readonly op: string;
      readonly path: string;
      readonly allowed: AllowedPath | undefined;
      readonly listed: readonly AllowedPath[];
    }
  | { readonly reason: 'path'; readonly index: number; readonly path: string; readonly listed: readonly AllowedPath[] }
  | { readonly reason: 'value'; readonly index: number; readonly path: string; readonly value: unknown; readonly detail: string }
  | { readonly reason: 'test_after_change'; readonly index: number; readonly path: string; readonly changed: string };

/**
 * The wording of refusals, which each endpoint keeps from its API dialect:
 * - `brief`: `op "remove" is not allowed (path "/x")`, `path "/x" cannot be changed`, `value 1 is not valid for path "/x": …`
 *   (agents, configurations, log files, verification runs);
 * - `listing`: names what would have been allowed: `…; use add or replace`, `…; the paths that can are /a, /b`,
 *   `the value of "/x" …`, each ended by `sentenceEnd` (jobs with '.', V3 tasks without).
 */
export type PatchRefusalWording = { readonly style: 'brief' } | { readonly style: 'listing'; readonly sentenceEnd: '.' | '' };

export function refusalError(refusal: PatchRefusal, wording: PatchRefusalWording): JsonPatchError {
  const kind = refusal.reason === 'value' ? 'invalid_value' : 'not_allowed';
  return new JsonPatchError(kind, `Operation ${refusal.index}: ${describe(refusal, wording)}`, refusal.index, refusal.path);
}

function describe(refusal: PatchRefusal, wording: PatchRefusalWording): string {
  return wording.style === 'brief' ? brief(refusal) : listing(refusal, wording.sentenceEnd);
}

function brief(refusal: PatchRefusal): string {
  switch (refusal.reason) {
    case 'op':
      if (refusal.allowed && (refusal.op === 'add' || refusal.op === 'replace')) {
        return `op ${quote(refusal.op)} is not allowed for path ${quote(refusal.path)}; use ${refusal.allowed.ops.map(quote).join(' or ')}`;
      }
      return `op ${quote(refusal.op)} is not allowed (path ${quote(refusal.path)})`;
    case 'path':
      return `path ${quote(refusal.path)} cannot be changed`;
    case 'value':
      return `value ${previewValue(refusal.value)} is not valid for path ${quote(refusal.path)}: ${refusal.detail}`;
    case 'test_after_change':
      return testAfterChange(refusal);
  }
}

function listing(refusal: PatchRefusal, end: string): string {
  switch (refusal.reason) {
    case 'op':
      // This style names the path first: an op on a path that is not listed is refused for its path.
      if (!refusal.allowed) return listing({ ...refusal, reason: 'path' }, end);
      return `op ${quote(refusal.op)} is not allowed on path ${quote(refusal.path)}; use ${refusal.allowed.ops.join(' or ')}${end}`;
    case 'path':
      return `path ${quote(refusal.path)} cannot be changed; the paths that can are ${refusal.listed.map((allowed) => allowed.path).join(', ')}${end}`;
    case 'value':
      return `the value of ${quote(refusal.path)} ${refusal.detail}${end}`;
    case 'test_after_change':
      return `${testAfterChange(refusal)}${end}`;
  }
}

function testAfterChange(refusal: { path: string; changed: string }): string {
  return `a test of path ${quote(refusal.path)} cannot follow a change to ${quote(refusal.changed)} in the same patch; put tests first`;
}

function previewValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
