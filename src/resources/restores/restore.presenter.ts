import type { Urls } from '../../server/links.js';
import type { Job } from '../jobs/job.js';
import { presentErrorSummary } from '../jobs/job-errors.presenter.js';
import { restoreDetails } from './restore-details.js';

/** The fields of a restore its representation shows: a list page reads only their columns. */
export const RESTORE_FIELDS = ['projectId', 'id', 'kind', 'backupId', 'agentId', 'details', 'state', 'startedTime', 'endedTime', 'errors', 'results'] as const satisfies readonly (keyof Job)[];
type RestoreFields = Pick<Job, (typeof RESTORE_FIELDS)[number]>;

/** The §3.4 representation; `encrypted_password_hex` is never part of it (only the agent's start event has it). */
export function presentRestore(job: RestoreFields, urls: Urls) {
  const details = restoreDetails(job);
  return {
    project_id: job.projectId,
    id: job.id,
    backup: { id: job.backupId, links: [urls.link('full', 'backups', job.backupId ?? '')] },
    destination_agent: { id: job.agentId, links: [urls.link('full', 'agents', job.agentId)] },
    destination_path: details.destination_path,
    overwrite_files: details.overwrite_files,
    inclusions: details.inclusions,
    exclusions: details.exclusions,
    state: job.state,
    started_time: job.startedTime,
    ended_time: job.endedTime,
    errors: presentErrorSummary(job, urls),
    files_restored: (job.results.files_restored as number | undefined) ?? 0,
    bytes_restored: (job.results.bytes_restored as number | undefined) ?? 0,
    files_skipped: (job.results.files_skipped as number | undefined) ?? 0,
    links: [urls.link('self', 'restores', job.id), urls.link('events', 'restores', job.id, 'events')],
  };
}

/** List items omit inclusions and exclusions, and their first link is `full`. */
export function presentRestoreListItem(job: RestoreFields, urls: Urls) {
  const detail = presentRestore(job, urls);
  return {
    project_id: detail.project_id,
    id: detail.id,
    backup: detail.backup,
    destination_agent: detail.destination_agent,
    destination_path: detail.destination_path,
    overwrite_files: detail.overwrite_files,
    state: detail.state,
    started_time: detail.started_time,
    ended_time: detail.ended_time,
    errors: detail.errors,
    files_restored: detail.files_restored,
    bytes_restored: detail.bytes_restored,
    files_skipped: detail.files_skipped,
    links: [{ ...detail.links[0], rel: 'full' }, ...detail.links.slice(1)],
  };
}
