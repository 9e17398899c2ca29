import { randomUUID } from 'node:crypto';
import { evaluateTests, jsonEqual } from '../../domain/json-patch/index.js';
import { assertTransition, isTerminal, type Actor, type StateMachine } from '../../domain/state-machines/state-machine.js';
import { conflict } from '../../errors/app-error.js';
import { isoNow } from '../../server/time.js';
import type { AppContext } from '../../server/context.js';
import { compareAndSet } from '../../store/compare-and-set.js';
import type { Tx } from '../../store/store.js';
import { jobFromRow, type Job } from './job.js';
import { jobEventRefs, stateEventName } from './job-events.js';
import type { JobPatchMessage } from './job-patch.message.js';
import type { EventInput } from '../events/event-hub.js';
import { recordJobEnded } from '../notifications/job-ended.outbox.js';
import { ADMISSION_CHANNEL } from '../queue/backup-admission.js';
import { BackupState } from '../../domain/job-states.js';

export interface JobPatchHooks {
  machine: StateMachine;
  /** The job as clients read it, for `test` operations. */
  present(job: Job): unknown;
  /** Extra writes when a job reaches a terminal state (e.g. a configuration's last completed backup). */
  afterChange?(tx: Tx, before: Job, after: Job, ctx: AppContext): Promise<void>;
  /** A rule of the job kind beyond its state machine (e.g. a backup waiting in the queue may not start); throws. */
  guard?(before: Job, after: Job, actor: Actor): void;
}

/**
 * Applies an allowed patch atomically. Jobs follow the optimistic rule (compareAndSet): a job has one agent
 * reporting on it, so two writers at once are rare; when another writer got there first, the report is judged again
 * against the job's new state, so concurrent reports behave as if serialised. Returns false when the patch changed
 * nothing (a retried report). `known` is the job as the request already read it: a change decided on it is written
 * without reading the job again.
 */
export async function applyJobPatch(ctx: AppContext, known: Job, actor: Actor, message: JobPatchMessage, hooks: JobPatchHooks): Promise<boolean> {
  return compareAndSet<Job, boolean>(ctx.store, {
    table: 'jobs',
    id: known.id,
    noun: 'job',
    rule: 'optimistic',
    known,
    read: async (tx) => jobFromRow(await tx.db.selectFrom('jobs').selectAll().where('id', '=', known.id).executeTakeFirstOrThrow()),
    decide(job) {
      const judged = judge(job, actor, message, hooks);
      if (judged === 'unchanged') return { write: false, result: false };
      const { draft, changed, stateChange } = judged;
      const now = isoNow();
      const after: Job = { ...draft, updatedAt: now, version: job.version + 1 };
      const ended = stateChange === 'change' && isTerminal(hooks.machine, after.state);
      changed.updated_at = now;
      return {
        write: true,
        set: changed,
        event: stateChange === 'change' ? ctx.events.prepare(stateEvent(job, after, hooks.machine)) : undefined,
        // The kinds' extra writes and the "job ended" notifications concern only jobs that reach a terminal state.
        after: ended
          ? async (tx) => {
              await hooks.afterChange?.(tx, job, after, ctx);
              await recordJobEnded(tx, after);
              // A backup ended, or an agent finished a restore or cleanup: a queued backup may start now.
              await tx.notify(ADMISSION_CHANNEL, job.kind);
            }
          : undefined,
        result: () => true,
      };
    },
  });
}

function stateEvent(before: Job, after: Job, machine: StateMachine): EventInput {
  const body: Record<string, unknown> = jobEventRefs(after);
  // §3.7: the stop request and a skipped backup carry a request id.
  if (after.state === machine.stopRequest || after.state === BackupState.skipped) body.request_id = randomUUID();
  return {
    projectId: before.projectId,
    agentId: before.agentId,
    configurationId: before.configurationId,
    subjectId: before.id,
    name: stateEventName(after, after.state),
    body,
  };
}

/** The patch judged against `job`: refused (throws), a no-op, or the new job and the columns that changed. */
function judge(job: Job, actor: Actor, message: JobPatchMessage, hooks: JobPatchHooks): 'unchanged' | { draft: Job; changed: Record<string, unknown>; stateChange: 'change' | 'unchanged' } {
  if (message.tests.length > 0) evaluateTests(hooks.present(job), message.tests);
  // A shallow copy is enough: fields' writes replace the draft's members and never change what those hold.
  const draft: Job = { ...job };
  for (const write of message.writes) write.field.write(draft, write.value);
  const writesState = message.writes.some((w) => w.field.path === '/state');
  const stateChange = writesState ? assertTransition(hooks.machine, job.state, draft.state, actor) : 'unchanged';
  if (stateChange === 'change') hooks.guard?.(job, draft, actor);
  const changed = changedColumns(job, draft);
  if (changed === null) return 'unchanged';
  if (isTerminal(hooks.machine, job.state)) throw conflict(hooks.machine.terminalMessage);
  return { draft, changed, stateChange };
}

/**
 * The columns a report changes, with their new values, or null when it changes nothing. Only these are written:
 * SQLite then leaves alone the indexes and checks of the columns that stay (a progress report touches `results`).
 */
function changedColumns(before: Job, after: Job): Record<string, unknown> | null {
  const changed: Record<string, unknown> = {};
  if (before.state !== after.state) changed.state = after.state;
  if (before.startedTime !== after.startedTime) changed.started_time = after.startedTime;
  if (before.endedTime !== after.endedTime) changed.ended_time = after.endedTime;
  if (before.snapshotId !== after.snapshotId) changed.snapshot_id = after.snapshotId;
  if (!jsonEqual(before.results, after.results)) changed.results = JSON.stringify(after.results);
  if (!jsonEqual(before.errors, after.errors)) changed.errors = JSON.stringify(after.errors);
  return Object.keys(changed).length > 0 ? changed : null;
}
