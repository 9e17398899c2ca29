import { accept, JsonPatchError, readAllowListPatch, refuse, type PatchAllowList, type PatchTest } from '../../domain/json-patch/index.js';
import { TASK_REPORTABLE_STATES } from '../../domain/state-machines/task-machine.js';
import { jsonPatchError } from '../../errors/v3-catalogue.js';

export interface TaskReportMessage {
  /** RFC 6902 `test` operations, judged against the task as it stands when the report is applied. */
  tests: readonly PatchTest[];
  state: string | undefined;
  /** undefined: not reported; null or text: reported. */
  failureReason: string | null | undefined;
}

const MAX_FAILURE_REASON = 4096;

/** The agent's state report: `replace`/`add` on /state (RUNNING, SUCCEEDED, FAILED) and /result/failure_reason, plus `test`s. */
export const TASK_REPORT: PatchAllowList = {
  refusals: { style: 'listing', sentenceEnd: '' },
  paths: [
    {
      path: '/state',
      ops: ['replace', 'add'],
      parse: (value) =>
        typeof value === 'string' && (TASK_REPORTABLE_STATES as readonly string[]).includes(value)
          ? accept(value)
          : refuse(`must be one of ${TASK_REPORTABLE_STATES.join(', ')}, got ${JSON.stringify(value)}`),
    },
    {
      path: '/result/failure_reason',
      ops: ['replace', 'add'],
      parse: (value) => {
        if (value !== null && typeof value !== 'string') return refuse(`must be a string or null, got ${JSON.stringify(value)}`);
        if (typeof value === 'string' && [...value].length > MAX_FAILURE_REASON) return refuse(`must be at most ${MAX_FAILURE_REASON} characters`);
        return accept(value);
      },
    },
  ],
};

/** Reads the report; a refusal is the V3 dialect's 422 (a failed `test` later is 409). */
export function parseTaskReport(body: unknown): TaskReportMessage {
  try {
    const { tests, changes } = readAllowListPatch(body, TASK_REPORT);
    return { tests, state: changes.get('/state') as string | undefined, failureReason: changes.get('/result/failure_reason') as string | null | undefined };
  } catch (error) {
    if (error instanceof JsonPatchError) throw jsonPatchError(error);
    throw error;
  }
}
