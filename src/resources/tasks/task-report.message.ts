import { JsonPatchError, validatePatchDocument, type PatchOperation } from '../../domain/json-patch/index.js';
import { TASK_REPORTABLE_STATES } from '../../domain/state-machines/task-machine.js';
import { jsonPatchError, unprocessable } from '../../errors/v3-catalogue.js';

export interface TaskReportMessage {
  /** RFC 6902 `test` operations, judged against the task as it stands when the report is applied. */
  tests: PatchOperation[];
  state: string | undefined;
  /** undefined: not reported; null or text: reported. */
  failureReason: string | null | undefined;
}

const PATHS = ['/state', '/result/failure_reason'];

/** The agent's state report: `add`/`replace` on /state (RUNNING, SUCCEEDED, FAILED) and /result/failure_reason, plus `test`s. */
export function parseTaskReport(body: unknown): TaskReportMessage {
  let operations: PatchOperation[];
  try {
    operations = validatePatchDocument(body);
  } catch (error) {
    if (error instanceof JsonPatchError) throw jsonPatchError(error);
    throw error;
  }
  const message: TaskReportMessage = { tests: [], state: undefined, failureReason: undefined };
  operations.forEach((operation, index) => {
    if (operation.op === 'test') {
      message.tests.push(operation);
      return;
    }
    if (!PATHS.includes(operation.path)) {
      throw unprocessable(`Operation ${index}: path "${operation.path}" cannot be changed; the paths that can are ${PATHS.join(', ')}`);
    }
    if (operation.op !== 'replace' && operation.op !== 'add') {
      throw unprocessable(`Operation ${index}: op "${operation.op}" is not allowed on path "${operation.path}"; use replace or add`);
    }
    const value = operation.value;
    if (operation.path === '/state') {
      if (typeof value !== 'string' || !(TASK_REPORTABLE_STATES as readonly string[]).includes(value)) {
        throw unprocessable(`Operation ${index}: the value of "/state" must be one of ${TASK_REPORTABLE_STATES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      message.state = value;
    } else {
      if (value !== null && typeof value !== 'string') {
        throw unprocessable(`Operation ${index}: the value of "/result/failure_reason" must be a string or null, got ${JSON.stringify(value)}`);
      }
      if (typeof value === 'string' && [...value].length > 4096) {
        throw unprocessable(`Operation ${index}: the value of "/result/failure_reason" must be at most 4096 characters`);
      }
      message.failureReason = value;
    }
  });
  return message;
}
