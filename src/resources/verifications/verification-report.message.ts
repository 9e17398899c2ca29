import { ADD_OR_REPLACE, readAllowListPatch, valueMust, type PatchAllowList, type PatchTest } from '../../domain/json-patch/index.js';
import { isOneOf, VerificationRunState } from '../../domain/job-states.js';
import type { VerificationResults } from './verification.js';

const MAX_ERRORS = 1000;
const MAX_ERROR_LENGTH = 4096;

const REPORTABLE = [VerificationRunState.in_progress, VerificationRunState.passed, VerificationRunState.failed];

const counter = valueMust((value) => Number.isSafeInteger(value) && (value as number) >= 0, 'must be a whole number of 0 or more');

/** What the agent may report on a verification run (JSON Patch, `add` or `replace`). */
export const VERIFICATION_REPORT: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    { path: '/state', ops: ADD_OR_REPLACE, parse: valueMust((v) => typeof v === 'string' && isOneOf(REPORTABLE, v), 'must be in_progress, passed or failed') },
    {
      path: '/errors',
      ops: ADD_OR_REPLACE,
      parse: valueMust(
        (v) => Array.isArray(v) && v.length <= MAX_ERRORS && v.every((e) => typeof e === 'string' && e.length <= MAX_ERROR_LENGTH),
        `must be a list of at most ${MAX_ERRORS} strings of at most ${MAX_ERROR_LENGTH} characters`,
      ),
    },
    ...['/packs', '/packs_read', '/bytes_read', '/snapshots'].map((path) => ({ path, ops: ADD_OR_REPLACE, parse: counter })),
  ],
};

export interface VerificationReport {
  tests: readonly PatchTest[];
  state?: VerificationRunState;
  results: VerificationResults;
}

export function parseVerificationReport(body: unknown): VerificationReport {
  const { tests, changes } = readAllowListPatch(body, VERIFICATION_REPORT);
  const results: Record<string, unknown> = {};
  let state: VerificationRunState | undefined;
  for (const [path, value] of changes) {
    if (path === '/state') state = value as VerificationRunState;
    else results[path.slice(1)] = value;
  }
  return { tests, state, results: results as VerificationResults };
}
