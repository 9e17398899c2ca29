import type { PatchRefusalWording } from './patch-refusal.js';

/**
 * The one declarative form of a PATCH endpoint's JSON Patch rules: the paths a client may write, the ops each
 * takes, and how each value is checked. `test` operations may name any path; everything else is refused.
 * readAllowListPatch (allow-list-patch.ts) evaluates a patch against it.
 */
export type WriteOp = 'add' | 'replace';

export type ValueVerdict = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/** Checks a value sent for a path and returns the value to keep (as sent, or normalised), or why it is refused. */
export type ValueParser = (value: unknown) => ValueVerdict;

export interface AllowedPath {
  /** the canonical JSON Pointer, under which a change is reported */
  readonly path: string;
  /** other spellings of the same path that clients send (e.g. "/log-level") */
  readonly aliases?: readonly string[];
  /** the ops that may write it, in the order a refusal lists them */
  readonly ops: readonly WriteOp[];
  /** without one, any JSON value is kept as sent */
  readonly parse?: ValueParser;
}

export interface PatchAllowList<Path extends AllowedPath = AllowedPath> {
  readonly paths: readonly Path[];
  /** how refusals are worded for this endpoint (its API dialect's texts) */
  readonly refusals: PatchRefusalWording;
}

export const ADD_OR_REPLACE: readonly WriteOp[] = ['add', 'replace'];
export const REPLACE_ONLY: readonly WriteOp[] = ['replace'];

export const accept = (value: unknown): ValueVerdict => ({ ok: true, value });
export const refuse = (reason: string): ValueVerdict => ({ ok: false, reason });

/** A parser that keeps the value as sent when `holds` says yes, and otherwise refuses it with `reason`. */
export function valueMust(holds: (value: unknown) => boolean, reason: string): ValueParser {
  return (value) => (holds(value) ? accept(value) : refuse(reason));
}
