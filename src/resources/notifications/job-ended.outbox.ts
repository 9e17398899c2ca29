import type { Tx } from '../../store/store.js';
import type { Job } from '../jobs/job.js';
import { jobEventType, jobOutcome } from './event-types.js';
import { enqueueEvent } from './outbox.js';

/** How many of a job's errors an e-mail or webhook carries. */
export const FIRST_ERRORS = 5;

interface StoredNotification {
  type: string;
  destination: string;
  on_success?: boolean;
  on_failure?: boolean;
}

/**
 * The one hook every writer that ends a job calls, inside the transaction that ends it: decides which e-mails
 * (the configuration's notifications whose on_success / on_failure matches, see jobOutcome) and webhook POSTs the end
 * causes, and writes them to the outbox. Called by the agent's and user's reports (applyJobPatch) and by every
 * server-side end that creates or moves a job (insertJob for missed backups).
 */
export async function recordJobEnded(tx: Tx, job: Job): Promise<void> {
  const [configuration, agent] = await Promise.all([
    job.configurationId === null ? undefined : tx.db.selectFrom('configurations').select(['id', 'name', 'notifications']).where('id', '=', job.configurationId).executeTakeFirst(),
    tx.db.selectFrom('agents').select(['id', 'name']).where('id', '=', job.agentId).executeTakeFirst(),
  ]);
  const outcome = jobOutcome(job.state);
  const notifications: StoredNotification[] = configuration ? JSON.parse(configuration.notifications) : [];
  // E-mails go for the configuration's own backups, and for restores and cleanups of it.
  const emails = notifications.filter((n) => n.type === 'email' && ((outcome === 'success' && n.on_success) || (outcome === 'failure' && n.on_failure))).map((n) => n.destination);
  const eventType = jobEventType(job.kind, job.state);
  await enqueueEvent(tx, { projectId: job.projectId, eventType, subjectId: job.id, payload: jobEndedDocument(job, eventType, configuration, agent) }, emails);
}

function jobEndedDocument(job: Job, eventType: string, configuration: { id: string; name: string } | undefined, agent: { id: string; name: string } | undefined) {
  const started = job.startedTime ? Date.parse(job.startedTime) : NaN;
  const ended = job.endedTime ? Date.parse(job.endedTime) : NaN;
  return {
    type: eventType,
    project_id: job.projectId,
    outcome: jobOutcome(job.state),
    job: {
      kind: job.kind,
      id: job.id,
      state: job.state,
      started_by: job.startedBy,
      created_time: job.createdAt,
      scheduled_time: job.scheduledTime,
      started_time: job.startedTime,
      ended_time: job.endedTime,
      duration_seconds: Number.isFinite(started) && Number.isFinite(ended) ? Math.max(0, (ended - started) / 1000) : null,
      snapshot_id: job.snapshotId,
      results: job.results,
      errors: { count: job.errors.count, reason: job.errors.reason, first: job.errors.list.slice(0, FIRST_ERRORS) },
    },
    configuration: configuration ? { id: configuration.id, name: configuration.name } : null,
    agent: { id: job.agentId, name: agent?.name ?? null },
  };
}
