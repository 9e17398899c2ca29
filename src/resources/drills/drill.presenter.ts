import type { Urls } from '../../server/links.js';
import type { Drill } from './drill.js';
import type { DrillRun } from './drill-run.js';
import { presentDrillRunSummary } from './drill-run.presenter.js';

/** A drill; `command` is left out for callers who may not see it (observers), as for tasks. */
export function presentDrill(drill: Drill, urls: Urls, options: { showCommand: boolean; lastRun?: DrillRun }) {
  return {
    id: drill.id,
    project_id: drill.projectId,
    name: drill.name,
    configuration: { id: drill.configurationId, links: [urls.link('full', 'configurations', drill.configurationId)] },
    agent: { id: drill.agentId, links: [urls.link('full', 'agents', drill.agentId)] },
    target_path: drill.targetPath,
    ...(options.showCommand ? { command: drill.command } : {}),
    user: drill.user,
    schedule: drill.schedule === null ? null : { recurrence: drill.schedule.recurrence, time_zone: drill.schedule.time_zone },
    timeout_seconds: drill.timeoutSeconds,
    enabled: drill.enabled,
    next_run_time: drill.nextRunTime,
    last_run: options.lastRun ? presentDrillRunSummary(options.lastRun, urls) : null,
    created_time: drill.createdAt,
    updated_time: drill.updatedAt,
    links: [urls.link('self', 'drills', drill.id), urls.link('runs', 'drills', drill.id, 'runs')],
  };
}
