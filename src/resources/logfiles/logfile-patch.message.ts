import { readAllowListPatch, REPLACE_ONLY, valueMust, type PatchAllowList, type PatchTest } from '../../domain/json-patch/index.js';
import { isOneOf } from '../../domain/job-states.js';
import { logfileMachine } from '../../domain/state-machines/job-machines.js';

/** The log-file page: `/state` is the only path, and only `replace` (an `add` is refused with 400). */
export const LOGFILE_PATCH: PatchAllowList = {
  refusals: { style: 'brief' },
  paths: [
    {
      path: '/state',
      ops: REPLACE_ONLY,
      parse: valueMust((value) => typeof value === 'string' && isOneOf(logfileMachine.states, value), `must be one of ${logfileMachine.states.join(', ')}`),
    },
  ],
};

export interface LogfilePatchMessage {
  tests: readonly PatchTest[];
  state: string | undefined;
}

export function parseLogfilePatch(body: unknown): LogfilePatchMessage {
  const patch = readAllowListPatch(body, LOGFILE_PATCH);
  return { tests: patch.tests, state: patch.changes.get('/state') as string | undefined };
}
