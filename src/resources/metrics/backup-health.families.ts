import { JOB_MACHINES } from '../../domain/state-machines/job-machines.js';
import { epochSeconds, type DatabaseGaugeFamily, type FamilyReadContext, type GaugeSample } from './database-gauges.js';
import { BackupState } from '../../domain/job-states.js';

const BACKUP_TERMINAL = JOB_MACHINES.backup.terminal as readonly string[];
const LABELS = ['project_id', 'configuration_id', 'configuration_name', 'agent_id', 'agent_name'] as const;
const IN_CHUNK = 500;

interface LastRun {
  state: string;
  startedTime: string | null;
  endedTime: string | null;
  updatedAt: string;
  results: Record<string, unknown>;
}

/** One configuration (not deleted) with its last ended backup and its last `completed` one. */
interface ConfigurationHealth {
  labels: Record<(typeof LABELS)[number], string>;
  createdAt: string;
  scheduled: boolean;
  lastRun: LastRun | null;
  lastSuccess: LastRun | null;
}

/**
 * Reads every configuration with the ids of its latest ended backup and latest `completed` one (each a walk back
 * along the jobs_configuration index), then those backups. Success is `completed` only, as in the e-mail rule
 * (completed_with_errors is a failure there too).
 */
function configurationHealth(context: FamilyReadContext): Promise<ConfigurationHealth[]> {
  return context.shared('configuration-health', async () => {
    const rows = await context.db
      .selectFrom('configurations as c')
      .innerJoin('agents as a', 'a.id', 'c.agent_id')
      .select(['c.id', 'c.name', 'c.project_id', 'c.agent_id', 'a.name as agent_name', 'c.enabled', 'c.schedule', 'c.created_at'])
      .select((eb) => [
        eb
          .selectFrom('jobs')
          .select('jobs.id')
          .whereRef('jobs.configuration_id', '=', 'c.id')
          .where('jobs.kind', '=', 'backup')
          .where('jobs.state', 'in', BACKUP_TERMINAL)
          .orderBy('jobs.seq', 'desc')
          .limit(1)
          .as('last_run_id'),
        eb
          .selectFrom('jobs')
          .select('jobs.id')
          .whereRef('jobs.configuration_id', '=', 'c.id')
          .where('jobs.kind', '=', 'backup')
          .where('jobs.state', '=', BackupState.completed)
          .orderBy('jobs.seq', 'desc')
          .limit(1)
          .as('last_success_id'),
      ])
      .where('c.deleted', '=', 0)
      .orderBy('c.seq')
      .execute();
    const ids = [...new Set(rows.flatMap((r) => [r.last_run_id, r.last_success_id]).filter((id): id is string => typeof id === 'string'))];
    const jobs = new Map<string, LastRun>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const found = await context.db
        .selectFrom('jobs')
        .select(['id', 'state', 'started_time', 'ended_time', 'updated_at', 'results'])
        .where('id', 'in', ids.slice(i, i + IN_CHUNK))
        .execute();
      for (const job of found) {
        jobs.set(job.id, { state: job.state, startedTime: job.started_time, endedTime: job.ended_time, updatedAt: job.updated_at, results: JSON.parse(job.results) });
      }
    }
    return rows.map((row) => ({
      labels: { project_id: row.project_id, configuration_id: row.id, configuration_name: row.name, agent_id: row.agent_id, agent_name: row.agent_name },
      createdAt: row.created_at,
      scheduled: row.enabled === 1 && row.schedule !== null,
      lastRun: typeof row.last_run_id === 'string' ? (jobs.get(row.last_run_id) ?? null) : null,
      lastSuccess: typeof row.last_success_id === 'string' ? (jobs.get(row.last_success_id) ?? null) : null,
    }));
  });
}

/** When a backup ended; a backup recorded without an end time (a missed one, say) counts from its last change. */
function endedAt(run: LastRun): number | null {
  return epochSeconds(run.endedTime) ?? epochSeconds(run.updatedAt);
}

function counter(run: LastRun, name: string): number | null {
  const value = run.results[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function perConfiguration(name: string, help: string, value: (c: ConfigurationHealth) => number | null): DatabaseGaugeFamily {
  return {
    name,
    help,
    labelNames: LABELS,
    async read(context) {
      return (await configurationHealth(context)).flatMap((c): GaugeSample[] => {
        const v = value(c);
        return v === null ? [] : [{ labels: c.labels, value: v }];
      });
    },
  };
}

export const BACKUP_HEALTH_FAMILIES: DatabaseGaugeFamily[] = [
  perConfiguration('coffer_backup_last_success_timestamp_seconds', 'When the last backup of the configuration that ended completed finished (0: none yet)', (c) =>
    c.lastSuccess ? (endedAt(c.lastSuccess) ?? 0) : 0,
  ),
  perConfiguration('coffer_backup_last_run_timestamp_seconds', 'When the last backup of the configuration ended, in any state (0: none yet)', (c) => (c.lastRun ? (endedAt(c.lastRun) ?? 0) : 0)),
  {
    name: 'coffer_backup_last_state',
    help: 'State of the last ended backup of the configuration: 1 for its state, 0 for the other end states (none when no backup ended yet)',
    labelNames: [...LABELS, 'state'],
    async read(context) {
      return (await configurationHealth(context)).flatMap((c) => (c.lastRun ? BACKUP_TERMINAL.map((state) => ({ labels: { ...c.labels, state }, value: state === c.lastRun!.state ? 1 : 0 })) : []));
    },
  },
  perConfiguration('coffer_backup_last_duration_seconds', 'How long the last ended backup of the configuration ran (absent when it never started, e.g. missed)', (c) => {
    const started = epochSeconds(c.lastRun?.startedTime);
    const ended = epochSeconds(c.lastRun?.endedTime);
    return started === null || ended === null ? null : Math.max(0, ended - started);
  }),
  perConfiguration('coffer_backup_last_bytes_searched', 'Bytes the last ended backup of the configuration looked at, as its agent reported', (c) =>
    c.lastRun ? counter(c.lastRun, 'bytes_searched') : null,
  ),
  perConfiguration('coffer_backup_last_bytes_backed_up', 'Bytes the last ended backup of the configuration sent to the vault, as its agent reported', (c) =>
    c.lastRun ? counter(c.lastRun, 'bytes_backed_up') : null,
  ),
  perConfiguration('coffer_configuration_created_timestamp_seconds', 'When the configuration was created', (c) => epochSeconds(c.createdAt)),
  perConfiguration('coffer_configuration_scheduled', '1 when the configuration is enabled and has a schedule, so backups are expected; else 0', (c) => (c.scheduled ? 1 : 0)),
];
