import type { Selectable } from 'kysely';
import type { LogfilesTable } from '../../store/database.js';

export interface Logfile {
  id: string;
  projectId: string;
  agentId: string;
  state: string;
  date: string;
  /** Relative to the data directory, once the agent has uploaded the file. */
  blobPath: string | null;
  blobSize: number | null;
  version: number;
}

export function logfileFromRow(row: Selectable<LogfilesTable>): Logfile {
  return {
    id: row.id,
    projectId: row.project_id,
    agentId: row.agent_id,
    state: row.state,
    date: row.date,
    blobPath: row.blob_path,
    blobSize: row.blob_size === null ? null : Number(row.blob_size),
    version: row.version_no,
  };
}
