import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { isoNow } from '../../server/time.js';

/** Projects come into being with their first user or agent. */
export async function ensureProject(db: Kysely<Database>, projectId: string): Promise<void> {
  await db
    .insertInto('projects')
    .values({ id: projectId, name: projectId, created_at: isoNow() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
