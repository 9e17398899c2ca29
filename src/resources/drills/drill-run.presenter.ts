import type { Link, Urls } from '../../server/links.js';
import type { DrillRun } from './drill-run.js';

function durationSeconds(run: DrillRun): number | null {
  if (run.endedAt === null) return null;
  return Math.max(0, (Date.parse(run.endedAt) - Date.parse(run.createdAt)) / 1000);
}

/** The short form, in lists and as a drill's `last_run`. */
export function presentDrillRunSummary(run: DrillRun, urls: Urls) {
  return {
    id: run.id,
    state: run.state,
    failure_reason: run.failureReason,
    created_time: run.createdAt,
    ended_time: run.endedAt,
    links: [urls.link('full', 'drill-runs', run.id)],
  };
}

/** A run as a job: what it restored and how, what the check said, and how the whole ended. */
export function presentDrillRun(run: DrillRun, urls: Urls) {
  const links: Link[] = [urls.link('self', 'drill-runs', run.id), urls.link('drill', 'drills', run.drillId)];
  return {
    id: run.id,
    project_id: run.projectId,
    drill: { id: run.drillId, links: [urls.link('full', 'drills', run.drillId)] },
    configuration: { id: run.configurationId },
    agent: { id: run.agentId },
    backup: run.backupId === null ? null : { id: run.backupId, links: [urls.link('full', 'backups', run.backupId)] },
    state: run.state,
    started_by: run.startedBy,
    failure_reason: run.failureReason,
    scheduled_time: run.scheduledTime,
    created_time: run.createdAt,
    deadline_time: run.deadlineAt,
    ended_time: run.endedAt,
    duration_seconds: durationSeconds(run),
    restore: run.restoreId === null ? null : { id: run.restoreId, ...(run.results.restore ?? { state: null }), links: [urls.link('full', 'restores', run.restoreId)] },
    check:
      run.taskId === null
        ? null
        : {
            task_guid: run.taskId,
            state: run.results.check?.state ?? null,
            failure_reason: run.results.check?.failure_reason ?? null,
            links: [
              { rel: 'task', href: urls.v3('tasks', run.taskId) },
              { rel: 'output', href: urls.v3('tasks', run.taskId, 'output') },
            ],
          },
    links,
  };
}
