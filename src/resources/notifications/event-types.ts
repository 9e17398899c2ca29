import { JOB_MACHINES } from '../../domain/state-machines/job-machines.js';
import type { JobKind } from '../../domain/job-states.js';

/**
 * Every event a webhook may subscribe to. Jobs: `<kind>.<terminal state>` (backup.failed, restore.completed, …);
 * tasks: task.succeeded / task.failed; drill runs: drill.passed / drill.failed; verification runs: verification.passed / verification.failed; agents: agent.offline / agent.online. `webhook.test` is sent only by the
 * test-delivery call, to the one webhook tested.
 */
export const JOB_EVENT_TYPES: readonly string[] = (Object.keys(JOB_MACHINES) as JobKind[]).flatMap((kind) => JOB_MACHINES[kind].terminal.map((state) => jobEventType(kind, state)));
export const TASK_EVENT_TYPES = ['task.succeeded', 'task.failed'] as const;
export const DRILL_EVENT_TYPES = ['drill.passed', 'drill.failed'] as const;
export const AGENT_EVENT_TYPES = ['agent.offline', 'agent.online'] as const;
export const VERIFICATION_EVENT_TYPES = ['verification.passed', 'verification.failed'] as const;
export const EVENT_TYPES: readonly string[] = [...JOB_EVENT_TYPES, ...TASK_EVENT_TYPES, ...DRILL_EVENT_TYPES, ...AGENT_EVENT_TYPES, ...VERIFICATION_EVENT_TYPES];
export const TEST_EVENT_TYPE = 'webhook.test';

export function jobEventType(kind: JobKind, state: string): string {
  return `${kind}.${state}`;
}

/**
 * Which e-mail notifications a job end triggers. A job that did not do all its work is a failure (including a
 * backup that was missed or skipped). `stopped` is neither: a person asked for it (or the agent was shut down on
 * purpose), so telling the on_failure list would cry wolf and telling on_success would claim a backup that is not
 * there; webhooks still receive `<kind>.stopped`.
 */
export type JobOutcome = 'success' | 'failure' | 'neither';

const OUTCOME_BY_STATE: Record<string, JobOutcome> = {
  completed: 'success',
  completed_with_errors: 'failure',
  failed: 'failure',
  missed: 'failure',
  skipped: 'failure',
  stopped: 'neither',
};

export function jobOutcome(state: string): JobOutcome {
  return OUTCOME_BY_STATE[state] ?? 'neither';
}
