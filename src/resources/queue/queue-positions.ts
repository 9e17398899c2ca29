import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import type { Job } from '../jobs/job.js';
import { BackupState } from '../../domain/job-states.js';

/** 1-based place of each backup of a project waiting in the queue, in the order they will be admitted. */
export type QueuePositions = ReadonlyMap<string, number>;

export async function loadProjectQueue(db: Kysely<Database>, projectId: string): Promise<QueuePositions> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where('project_id', '=', projectId)
    .where('kind', '=', 'backup')
    .where('admission', '=', 'waiting')
    .where('state', '=', BackupState.queued)
    .orderBy('seq')
    .execute();
  return new Map(rows.map((row, index) => [row.id, index + 1]));
}

/** The backup's place in the queue, or null when it is not waiting there. */
export function queuePosition(job: Pick<Job, 'id'>, positions: QueuePositions): number | null {
  return positions.get(job.id) ?? null;
}
