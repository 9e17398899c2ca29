import type { Urls } from '../../server/links.js';
import type { VaultVerification, VerificationRun } from './verification.js';

/** `GET /agents/{id}/verification`. */
export function presentVerificationSettings(agentId: string, settings: VaultVerification | undefined, urls: Urls) {
  return {
    agent: { id: agentId, links: [urls.link('full', 'agents', agentId)] },
    enabled: settings?.enabled ?? false,
    schedule: settings?.schedule ?? null,
    read_data_subsets: settings?.subsets ?? 1,
    next_run_time: settings?.nextRunTime ?? null,
    next_read_data_subset: settings ? `${(settings.runsStarted % settings.subsets) + 1}/${settings.subsets}` : '1/1',
    links: [urls.link('self', 'agents', agentId, 'verification'), urls.link('runs', 'agents', agentId, 'verification', 'runs'), urls.link('run', 'agents', agentId, 'verification', 'actions', 'run')],
  };
}

/** `GET /verifications/{id}` and the run-now answer. */
export function presentVerificationRun(run: VerificationRun, urls: Urls) {
  return {
    project_id: run.projectId,
    id: run.id,
    agent: { id: run.agentId, links: [urls.link('full', 'agents', run.agentId)] },
    vault: { id: run.vaultId },
    ...verificationOutcome(run),
    bytes_read: run.results.bytes_read ?? 0,
    snapshots: run.results.snapshots ?? 0,
    links: [urls.link('self', 'verifications', run.id)],
  };
}

/** What a run was and found, as the API and the run's events both show it. */
export function verificationOutcome(run: VerificationRun) {
  return {
    state: run.state,
    read_data_subset: `${run.subset}/${run.subsets}`,
    started_by: run.startedBy,
    created_time: run.createdAt,
    ended_time: run.endedAt,
    errors: run.results.errors ?? [],
    packs: run.results.packs ?? 0,
    packs_read: run.results.packs_read ?? 0,
  };
}
