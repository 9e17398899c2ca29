import { interpretRestrictedPatch, validatePatchDocument, type RestrictedPatchRules } from '../../domain/json-patch/index.js';
import { isOneOf, VerificationRunState } from '../../domain/job-states.js';
import type { VerificationResults } from './verification.js';

const MAX_ERRORS = 1000;
const MAX_ERROR_LENGTH = 4096;

const REPORTABLE = [VerificationRunState.in_progress, VerificationRunState.passed, VerificationRunState.failed];

const counter = (value: unknown) => (Number.isSafeInteger(value) && (value as number) >= 0 ? true : 'must be a whole number of 0 or more');

/** What the agent may report on a verification run (JSON Patch, `add` or `replace`). */
const RULES: RestrictedPatchRules = {
  '/state': { ops: 'add-or-replace', validate: (v) => (typeof v === 'string' && isOneOf(REPORTABLE, v) ? true : 'must be in_progress, passed or failed') },
  '/errors': {
    ops: 'add-or-replace',
    validate: (v) =>
      Array.isArray(v) && v.length <= MAX_ERRORS && v.every((e) => typeof e === 'string' && e.length <= MAX_ERROR_LENGTH)
        ? true
        : `must be a list of at most ${MAX_ERRORS} strings of at most ${MAX_ERROR_LENGTH} characters`,
  },
  '/packs': { ops: 'add-or-replace', validate: counter },
  '/packs_read': { ops: 'add-or-replace', validate: counter },
  '/bytes_read': { ops: 'add-or-replace', validate: counter },
  '/snapshots': { ops: 'add-or-replace', validate: counter },
};

export interface VerificationReport {
  state?: VerificationRunState;
  results: VerificationResults;
}

export function parseVerificationReport(body: unknown): VerificationReport {
  const { changes } = interpretRestrictedPatch(validatePatchDocument(body), RULES);
  const results: Record<string, unknown> = {};
  let state: VerificationRunState | undefined;
  for (const [path, value] of changes) {
    if (path === '/state') state = value as VerificationRunState;
    else results[path.slice(1)] = value;
  }
  return { state, results: results as VerificationResults };
}
