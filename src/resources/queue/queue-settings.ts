import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { BodyCheck } from '../common/body-check.js';

/** A project's backup queue: how many of its backups run at once, and how far scheduled starts are spread. */
export interface QueueSettings {
  max_running_backups: number;
  /** Each scheduled backup starts at a random moment within this many seconds after its time (0: on time). */
  start_jitter_seconds: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = { max_running_backups: 10, start_jitter_seconds: 0 };
export const MAX_RUNNING_LIMIT = 10_000;
/** Spreading starts over more than an hour would blur one schedule into the next. */
export const MAX_START_JITTER_SECONDS = 3600;
const FIELDS = ['max_running_backups', 'start_jitter_seconds'];

/** PUT replaces the settings; an omitted field takes its default. */
export function parseQueueSettings(body: unknown): QueueSettings {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (!FIELDS.includes(key)) check.problem(`${key} is not a queue setting; known: ${FIELDS.join(', ')}.`);
  const max = check.integer('max_running_backups', { min: 1, max: MAX_RUNNING_LIMIT });
  const jitter = check.integer('start_jitter_seconds', { min: 0, max: MAX_START_JITTER_SECONDS });
  check.done();
  return { max_running_backups: max ?? DEFAULT_QUEUE_SETTINGS.max_running_backups, start_jitter_seconds: jitter ?? DEFAULT_QUEUE_SETTINGS.start_jitter_seconds };
}

export async function readQueueSettings(db: Kysely<Database>, projectId: string): Promise<QueueSettings> {
  const row = await db.selectFrom('queue_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
  if (!row) return DEFAULT_QUEUE_SETTINGS;
  return { max_running_backups: row.max_running_backups, start_jitter_seconds: row.start_jitter_seconds };
}

export async function writeQueueSettings(db: Kysely<Database>, projectId: string, settings: QueueSettings): Promise<void> {
  const values = { ...settings, updated_at: new Date().toISOString() };
  await db
    .insertInto('queue_settings')
    .values({ project_id: projectId, ...values })
    .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
    .execute();
}
