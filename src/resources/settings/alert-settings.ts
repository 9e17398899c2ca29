import type { Kysely } from 'kysely';
import { isoNow } from '../../server/time.js';
import type { Database } from '../../store/database.js';
import { BodyCheck } from '../common/body-check.js';

/** A project's alert settings (`/v2/{project}/settings/alerts`, an extension of the reference). */
export interface AlertSettings {
  /** An agent not heard from for this long is announced offline (e-mail and `agent.offline` webhooks). */
  agent_offline_seconds: number;
}

export const DEFAULT_AGENT_OFFLINE_SECONDS = 24 * 3600;
/** Below this an idle agent between heartbeats could be announced offline. */
export const MIN_AGENT_OFFLINE_SECONDS = 300;
export const MAX_AGENT_OFFLINE_SECONDS = 30 * 24 * 3600;
const KEYS = ['agent_offline_seconds'];

/** PUT replaces the settings; `agent_offline_seconds` is required. */
export function parseAlertSettings(body: unknown): AlertSettings {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (!KEYS.includes(key)) check.problem(`${key} is not a setting (known: ${KEYS.join(', ')}).`);
  const seconds = check.integer('agent_offline_seconds', { required: true, min: MIN_AGENT_OFFLINE_SECONDS, max: MAX_AGENT_OFFLINE_SECONDS });
  check.done();
  return { agent_offline_seconds: seconds! };
}

export async function readAlertSettings(db: Kysely<Database>, projectId: string): Promise<AlertSettings> {
  const row = await db.selectFrom('alert_settings').select('agent_offline_seconds').where('project_id', '=', projectId).executeTakeFirst();
  return { agent_offline_seconds: row ? Number(row.agent_offline_seconds) : DEFAULT_AGENT_OFFLINE_SECONDS };
}

export async function writeAlertSettings(db: Kysely<Database>, projectId: string, settings: AlertSettings): Promise<void> {
  const values = { agent_offline_seconds: settings.agent_offline_seconds, updated_at: isoNow() };
  await db
    .insertInto('alert_settings')
    .values({ project_id: projectId, ...values })
    .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
    .execute();
}
