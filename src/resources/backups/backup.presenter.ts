import type { Urls } from '../../server/links.js';
import type { Job } from '../jobs/job.js';
import { presentErrorSummary } from '../jobs/job-errors.presenter.js';
import { queuePosition, type QueuePositions } from '../queue/queue-positions.js';
import { isRestorable, type Restorability } from './backup-restorable.js';

/** What a backup's representation needs beside the job, loaded once per request. */
export interface BackupView {
  restorability: Restorability;
  queue: QueuePositions;
}

const COUNTERS = ['files_searched', 'files_backed_up', 'bytes_searched', 'bytes_backed_up', 'bytes_in_db', 'bandwidth_avg_bps'] as const;

/** The fields of a backup its representation shows: a list page reads only their columns. */
export const BACKUP_FIELDS = [
  'projectId',
  'id',
  'kind',
  'agentId',
  'configurationId',
  'state',
  'startedTime',
  'endedTime',
  'snapshotId',
  'errors',
  'results',
  'prunedBy',
  'vaultId',
  'updatedAt',
] as const satisfies readonly (keyof Job)[];

/**
 * The backup representation of §3.3 (details, list items and the start response are the same), plus
 * `queue_position`: the backup's place in its project's queue while it waits for a run slot, else null.
 */
export function presentBackup(job: Pick<Job, (typeof BACKUP_FIELDS)[number]>, urls: Urls, { restorability, queue }: BackupView) {
  const counters = Object.fromEntries(COUNTERS.map((name) => [name, (job.results[name] as number | undefined) ?? 0]));
  return {
    project_id: job.projectId,
    id: job.id,
    agent: { id: job.agentId, links: [urls.link('full', 'agents', job.agentId)] },
    configuration: { id: job.configurationId, links: [urls.link('full', 'configurations', job.configurationId ?? '')] },
    state: job.state,
    started_time: job.startedTime,
    ended_time: job.endedTime,
    snapshot_id: job.snapshotId,
    errors: presentErrorSummary(job, urls),
    ...counters,
    restorable: isRestorable(job, restorability),
    queue_position: queuePosition(job, queue),
    links: [urls.link('self', 'backups', job.id), urls.link('events', 'backups', job.id, 'events')],
  };
}
