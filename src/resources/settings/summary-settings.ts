import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { BodyCheck } from '../common/body-check.js';

export interface SummarySettings {
  daily: boolean;
  weekly: boolean;
  notifications: { type: 'email'; destination: string }[];
}

export const DEFAULT_SUMMARY_SETTINGS: SummarySettings = { daily: false, weekly: false, notifications: [] };
const MAX_NOTIFICATIONS = 50;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** PUT replaces the settings: `notifications` is required; an omitted `daily` or `weekly` is false. */
export function parseSummarySettings(body: unknown): SummarySettings {
  const check = BodyCheck.object(body);
  const daily = check.boolean('daily') ?? false;
  const weekly = check.boolean('weekly') ?? false;
  const list = check.array('notifications', { required: true }) ?? [];
  if (list.length > MAX_NOTIFICATIONS) check.problem(`notifications may list at most ${MAX_NOTIFICATIONS} entries.`);
  const notifications = list.flatMap((raw, index): SummarySettings['notifications'] => {
    const item = raw as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      check.problem(`notifications[${index}] must be an object.`);
      return [];
    }
    if (item.type === undefined) check.problem(`notifications[${index}].type is required.`);
    else if (item.type !== 'email') check.problem(`notifications[${index}].type must be email.`);
    if (item.destination === undefined) check.problem(`notifications[${index}].destination is required.`);
    else if (typeof item.destination !== 'string' || !EMAIL.test(item.destination) || item.destination.length > 254) {
      check.problem(`notifications[${index}].destination must be an e-mail address.`);
    }
    return [{ type: 'email', destination: item.destination as string }];
  });
  check.done();
  return { daily, weekly, notifications };
}

export async function readSummarySettings(db: Kysely<Database>, projectId: string): Promise<SummarySettings> {
  const row = await db.selectFrom('summary_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
  if (!row) return DEFAULT_SUMMARY_SETTINGS;
  return { daily: row.daily === 1, weekly: row.weekly === 1, notifications: JSON.parse(row.notifications) };
}

export async function writeSummarySettings(db: Kysely<Database>, projectId: string, settings: SummarySettings): Promise<void> {
  const values = {
    daily: settings.daily ? 1 : 0,
    weekly: settings.weekly ? 1 : 0,
    notifications: JSON.stringify(settings.notifications),
    updated_at: new Date().toISOString(),
  };
  await db
    .insertInto('summary_settings')
    .values({ project_id: projectId, ...values })
    .onConflict((oc) => oc.column('project_id').doUpdateSet(values))
    .execute();
}
