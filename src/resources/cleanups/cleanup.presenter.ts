import type { Urls } from '../../server/links.js';
import type { Job } from '../jobs/job.js';
import { presentErrorSummary } from '../jobs/job-errors.presenter.js';

export function presentCleanup(job: Job, urls: Urls) {
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
