import type { AppContext } from '../../server/context.js';
import { toWireTime } from '../../server/time.js';
import { configurationFromRow, type Configuration } from '../configurations/configuration.js';
import { scheduledTimesAfter } from '../configurations/configuration-schedule.js';
import { insertJob } from '../jobs/job-insert.js';
import { readQueueSettings } from '../queue/queue-settings.js';
import { jobEventRefs } from '../jobs/job-events.js';
import { startPeriodicWork } from '../../server/periodic-work.js';
import { BackupState } from '../../domain/job-states.js';

export interface MissedCheckOptions {
  now: Date;
  /** How long after a scheduled time the agent may still start its backup (and how early it may start it). */
  graceMs: number;
  /** Most scheduled times judged per configuration in one pass (after a long outage the rest follow next pass). */
  maxPerConfiguration?: number;
  /** Scheduled times older than this (the server was down, say) pass without a record. Default one day. */
  horizonMs?: number;
}

export const DEFAULT_HORIZON_MS = 24 * 3_600_000;

export const DEFAULT_GRACE_SECONDS = 600;
export const DEFAULT_CHECK_INTERVAL_SECONDS = 60;

/**
 * Judges every scheduled time that is more than the grace period old and has not been judged yet (each
 * configuration's `next_scheduled_time` column is the first such time). A time is honoured when some backup of the
 * configuration was created within the grace period either side of it; otherwise the server records a backup in
 * state `missed` with a `backup_missed` event. Disabled or deleted configurations are not judged (enabling one
 * restarts the count from then); a disabled agent's times, and times older than the horizon, pass without a record.
 * A project with a start jitter has its times judged that much later, with the window widened after the time.
 * Returns the number marked missed.
 */
export async function markMissedBackups(ctx: AppContext, options: MissedCheckOptions): Promise<number> {
  const judgedUntil = new Date(options.now.getTime() - options.graceMs);
  const rows = await ctx.store.db
    .selectFrom('configurations')
    .selectAll()
    .where('deleted', '=', 0)
    .where('enabled', '=', 1)
    .where('next_scheduled_time', 'is not', null)
    .where('next_scheduled_time', '<=', judgedUntil.toISOString())
    .orderBy('seq')
    .execute();
  let missed = 0;
  for (const row of rows) missed += await judgeConfiguration(ctx, configurationFromRow(row), judgedUntil, options);
  return missed;
}

async function judgeConfiguration(ctx: AppContext, configuration: Configuration, untilWithoutJitter: Date, options: MissedCheckOptions): Promise<number> {
  if (configuration.schedule === null || configuration.nextDueTime === null) return 0;
  // Agents start scheduled backups up to the project's start jitter late: such a time is judged that much later.
  const jitterMs = (await readQueueSettings(ctx.store.db, configuration.projectId)).start_jitter_seconds * 1000;
  const judgedUntil = new Date(untilWithoutJitter.getTime() - jitterMs);
  if (new Date(configuration.nextDueTime) > judgedUntil) return 0;
  const limit = options.maxPerConfiguration ?? 100;
  return ctx.store.transaction(async (tx) => {
    const agent = await tx.db.selectFrom('agents').select(['enabled', 'vault_id']).where('id', '=', configuration.agentId).executeTakeFirst();
    const due: Date[] = [];
    let next: Date | undefined = new Date(configuration.nextDueTime!);
    const horizon = new Date(judgedUntil.getTime() + jitterMs + options.graceMs - (options.horizonMs ?? DEFAULT_HORIZON_MS));
    if (next < horizon) next = scheduledTimesAfter(configuration, horizon, 1)?.[0];
    while (next !== undefined && next <= judgedUntil && due.length < limit) {
      due.push(next);
      // Times outside the configuration's backup window are not backup times: never due, never missed.
      next = scheduledTimesAfter(configuration, next, 1)?.[0];
    }
    // Claim these times first: if another node (or a PATCH) moved the column meanwhile, leave the work to it.
    const claimed = await tx.db
      .updateTable('configurations')
      .set({ next_scheduled_time: next === undefined ? null : next.toISOString() })
      .where('id', '=', configuration.id)
      .where('next_scheduled_time', '=', configuration.nextDueTime)
      .where('deleted', '=', 0)
      .where('enabled', '=', 1)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1 || agent?.enabled !== 1) return 0;
    let missed = 0;
    for (const time of due) {
      const honoured = await tx.db
        .selectFrom('jobs')
        .select('id')
        .where('configuration_id', '=', configuration.id)
        .where('kind', '=', 'backup')
        .where('state', '!=', BackupState.missed)
        .where('created_at', '>=', toWireTime(new Date(time.getTime() - options.graceMs)))
        .where('created_at', '<=', toWireTime(new Date(time.getTime() + options.graceMs + jitterMs)))
        .executeTakeFirst();
      if (honoured) continue;
      const job = await insertJob(tx, {
        projectId: configuration.projectId,
        kind: 'backup',
        agentId: configuration.agentId,
        configurationId: configuration.id,
        state: BackupState.missed,
        startedBy: 'server',
        scheduledTime: toWireTime(time),
        vaultId: agent.vault_id,
      });
      await ctx.events.record(tx, {
        projectId: configuration.projectId,
        agentId: configuration.agentId,
        configurationId: configuration.id,
        subjectId: job.id,
        name: 'backup_missed',
        body: { ...jobEventRefs(job), scheduled_time: toWireTime(time), request_id: job.id },
      });
      missed++;
    }
    return missed;
  });
}

function secondsFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number of seconds, got "${text}"`);
  return value;
}

/** How long after a scheduled time its backup may still start: COFFER_MISSED_GRACE_SECONDS (default 600). */
export function missedGraceMs(): number {
  return secondsFromEnv('COFFER_MISSED_GRACE_SECONDS', DEFAULT_GRACE_SECONDS) * 1000;
}

/**
 * Runs the check every COFFER_MISSED_CHECK_SECONDS (default 60) with a grace of COFFER_MISSED_GRACE_SECONDS
 * (default 600). Returns a stop function that waits for a pass in progress.
 */
export function startMissedBackupScheduler(ctx: AppContext): () => Promise<void> {
  const graceMs = missedGraceMs();
  return startPeriodicWork(ctx, {
    what: 'missed-backup check',
    intervalMs: Math.max(1, secondsFromEnv('COFFER_MISSED_CHECK_SECONDS', DEFAULT_CHECK_INTERVAL_SECONDS)) * 1000,
    async run() {
      const count = await markMissedBackups(ctx, { now: new Date(), graceMs });
      if (count > 0) ctx.log.info({ count }, 'scheduled backups marked missed');
    },
  });
}
