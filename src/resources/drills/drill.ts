import type { Selectable } from 'kysely';
import type { StoredSchedule } from '../../domain/schedule/index.js';
import type { DrillsTable } from '../../store/drill-tables.js';

/** A restore drill of a configuration, as the domain sees it. */
export interface Drill {
  seq: number;
  id: string;
  projectId: string;
  configurationId: string;
  name: string;
  agentId: string;
  targetPath: string;
  command: string;
  user: string | null;
  schedule: StoredSchedule | null;
  timeoutSeconds: number;
  enabled: boolean;
  nextRunTime: string | null;
  createdAt: string;
  updatedAt: string;
}

export function drillFromRow(row: Selectable<DrillsTable>): Drill {
  return {
    seq: Number(row.seq),
    id: row.id,
    projectId: row.project_id,
    configurationId: row.configuration_id,
    name: row.name,
    agentId: row.agent_id,
    targetPath: row.target_path,
    command: row.command,
    user: row.run_user,
    schedule: row.schedule === null ? null : (JSON.parse(row.schedule) as StoredSchedule),
    timeoutSeconds: Number(row.timeout_seconds),
    enabled: row.enabled === 1,
    nextRunTime: row.next_run_time,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
