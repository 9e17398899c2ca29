import type { Urls } from '../../server/links.js';
import type { Job } from '../jobs/job.js';
import { presentErrorSummary } from '../jobs/job-errors.presenter.js';

/** The fields of a cleanup its representation shows: a list page reads only their columns. */
export const CLEANUP_FIELDS = ['projectId', 'id', 'kind', 'agentId', 'state', 'startedTime', 'endedTime', 'results', 'errors'] as const satisfies readonly (keyof Job)[];

export function presentCleanup(job: Pick<Job, (typeof CLEANUP_FIELDS)[number]>, urls: Urls) {
  return {
    project_id: job.projectId,
    id: job.id,
    agent: { id: job.agentId, links: [urls.link('full', 'agents', job.agentId)] },
    state: job.state,
    started_time: job.startedTime,
    ended_time: job.endedTime,
    snapshot_ids: (job.results.snapshot_ids as number[] | undefined) ?? [],
    errors: presentErrorSummary(job, urls),
    bytes_before: (job.results.bytes_before as number | undefined) ?? 0,
    bytes_after: (job.results.bytes_after as number | undefined) ?? 0,
    links: [urls.link('self', 'cleanups', job.id), urls.link('events', 'cleanups', job.id, 'events')],
  };
}
