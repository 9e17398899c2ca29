import type { PathItem } from '../configurations/configuration.js';
import type { Job } from '../jobs/job.js';

/** What a restore was asked to do, kept in the job's `details`. */
export interface RestoreDetails {
  destination_path: string | null;
  overwrite_files: boolean;
  inclusions: PathItem[];
  exclusions: PathItem[];
  /** The agent whose vault holds the backup. */
  source_agent_id: string;
  /** Set when the restore is the first half of a drill run (into the drill's scratch folder). */
  drill_run_id?: string;
}

export function restoreDetails(job: Pick<Job, 'details'>): RestoreDetails {
  const details = job.details as Partial<RestoreDetails>;
  return {
    destination_path: details.destination_path ?? null,
    overwrite_files: details.overwrite_files ?? false,
    inclusions: details.inclusions ?? [],
    exclusions: details.exclusions ?? [],
    source_agent_id: details.source_agent_id ?? '',
  };
}
