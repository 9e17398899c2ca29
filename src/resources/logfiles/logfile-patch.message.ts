import { interpretRestrictedPatch, validatePatchDocument, type RestrictedPatchRules, type TestOperation } from '../../domain/json-patch/index.js';
import { logfileMachine } from '../../domain/state-machines/job-machines.js';

/** The log-file page: `/state` is the only path, and only `replace` (an `add` is refused with 400). */
const RULES: RestrictedPatchRules = {
  '/state': {
    ops: 'replace',
    validate: (value) =>
      typeof value === 'string' && (logfileMachine.states as readonly string[]).includes(value) ? true : `must be one of ${logfileMachine.states.join(', ')}`,
  },
};

export interface LogfilePatchMessage {
  tests: TestOperation[];
  state: string | undefined;
}

export function parseLogfilePatch(body: unknown): LogfilePatchMessage {
  const patch = interpretRestrictedPatch(validatePatchDocument(body), RULES);
  return { tests: patch.tests, state: patch.changes.get('/state') as string | undefined };
}
