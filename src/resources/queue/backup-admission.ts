import { backupMachine } from '../../domain/state-machines/job-machines.js';
import { assertTransition } from '../../domain/state-machines/state-machine.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import type { Tx } from '../../store/store.js';
import { jobFromRow, type Job } from '../jobs/job.js';
import { DEFAULT_AGENT_MAX_RUNNING_JOBS } from '../agent-limits/agent-limits.js';
import { DEFAULT_QUEUE_SETTINGS } from './queue-settings.js';
import { BackupState, type JobStartState } from '../../domain/job-states.js';

/** Store notification channel: a run slot may have come free (a job ended, a limit was raised). */
export const ADMISSION_CHANNEL = 'backup_admission';
/** Most waiting backups judged in one pass; the rest are judged by the next one. */
const PASS_SIZE = 500;
const ENDED = [...backupMachine.terminal];

/**
 * Run slots: a backup runs only once admitted. It is admitted when, at that moment, fewer than the limit of
 * admitted unfinished backups exist server-wide and in its project, and its agent has fewer unfinished jobs than it
 * may run at once (restores and cleanups count there: they never wait, so an agent busy with one takes no new
 * backup, and a restore runs before the backups queued behind it). A backup that does not fit waits in `queued`,
 * in creation order, until a pass admits it.
 *
 * Every decision begins by updating the one `admission_turns` row, which PostgreSQL keeps locked until the
 * transaction ends, so decisions of several API nodes happen one after another against committed counts and no
 * slot is ever handed out twice; SQLite has one writer anyway. The lock is taken first in the transaction, before
 * any job row, so it cannot deadlock with a job's own report.
 */
export async function takeAdmissionTurn(tx: Tx): Promise<void> {
  await tx.db
    .updateTable('admission_turns')
    .set((eb) => ({ turns: eb('turns', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

interface Candidate {
  projectId: string;
  agentId: string;
}

/** Slots in use and limits, for the projects and agents in question; `take` books one. */
export class SlotBook {
  private constructor(
    private running: number,
    private readonly serverLimit: number,
    private readonly perProject: Map<string, { running: number; limit: number }>,
    private readonly perAgent: Map<string, { busy: number; limit: number }>,
  ) {}

  static async load(tx: Tx, serverLimit: number, candidates: Candidate[]): Promise<SlotBook> {
    const projectIds = [...new Set(candidates.map((c) => c.projectId))];
    const agentIds = [...new Set(candidates.map((c) => c.agentId))];
    const running = await tx.db
      .selectFrom('jobs')
      .select(['project_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('kind', '=', 'backup')
      .where('admission', '=', 'admitted')
      .where('state', 'not in', ENDED)
      .groupBy('project_id')
      .execute();
    const total = running.reduce((sum, row) => sum + Number(row.n), 0);
    const perProject = new Map(projectIds.map((id) => [id, { running: 0, limit: DEFAULT_QUEUE_SETTINGS.max_running_backups }]));
    for (const row of running) {
      const entry = perProject.get(row.project_id);
      if (entry) entry.running = Number(row.n);
    }
    if (projectIds.length > 0) {
      const settings = await tx.db.selectFrom('queue_settings').select(['project_id', 'max_running_backups']).where('project_id', 'in', projectIds).execute();
      for (const row of settings) perProject.get(row.project_id)!.limit = row.max_running_backups;
    }
    const perAgent = new Map(agentIds.map((id) => [id, { busy: 0, limit: DEFAULT_AGENT_MAX_RUNNING_JOBS }]));
    if (agentIds.length > 0) {
      const busy = await tx.db
        .selectFrom('jobs')
        .select(['agent_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('agent_id', 'in', agentIds)
        .where('state', 'not in', ENDED)
        .where((eb) => eb.or([eb('admission', 'is', null), eb('admission', '=', 'admitted')]))
        .groupBy('agent_id')
        .execute();
      for (const row of busy) perAgent.get(row.agent_id)!.busy = Number(row.n);
      const limits = await tx.db.selectFrom('agent_limits').select(['agent_id', 'max_running_jobs']).where('agent_id', 'in', agentIds).execute();
      for (const row of limits) perAgent.get(row.agent_id)!.limit = row.max_running_jobs;
    }
    return new SlotBook(total, serverLimit, perProject, perAgent);
  }

  get serverFull(): boolean {
    return this.running >= this.serverLimit;
  }

  fits(c: Candidate): boolean {
    const project = this.perProject.get(c.projectId)!;
    const agent = this.perAgent.get(c.agentId)!;
    return !this.serverFull && project.running < project.limit && agent.busy < agent.limit;
  }

  take(c: Candidate): void {
    this.running++;
    this.perProject.get(c.projectId)!.running++;
    this.perAgent.get(c.agentId)!.busy++;
  }
}

/** The start request the agent acts on, for a backup that was admitted (at once, or after waiting). */
export async function recordStartRequest(ctx: AppContext, tx: Tx, job: Job): Promise<void> {
  await ctx.events.record(tx, {
    projectId: job.projectId,
    agentId: job.agentId,
    configurationId: job.configurationId,
    subjectId: job.id,
    name: 'backup_start_request',
    // `scheduled` (Coffer's own): a backup of the schedule, which the agent keeps to the configuration's backup window.
    body: { agent: { id: job.agentId }, configuration: { id: job.configurationId }, backup: { id: job.id, scheduled: job.startedBy === 'start_scheduled' }, request_id: job.id },
  });
}

/**
 * Admits, in queue order, each waiting backup that fits, inside `tx` (which must already hold the admission turn),
 * and tells its agent with a `backup_start_request` event. Returns the backups admitted.
 */
export async function admitWaiting(ctx: AppContext, tx: Tx): Promise<Job[]> {
  const rows = await tx.db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', 'backup')
    .where('admission', '=', 'waiting')
    .where('state', '=', BackupState.queued)
    .orderBy('seq')
    .limit(PASS_SIZE)
    .execute();
  if (rows.length === 0) return [];
  const waiting = rows.map(jobFromRow);
  const book = await SlotBook.load(tx, ctx.config.maxRunningBackups, waiting);
  const admitted: Job[] = [];
  for (const job of waiting) {
    if (book.serverFull) break;
    if (!book.fits(job)) continue;
    const now = isoNow();
    const updated = await tx.db
      .updateTable('jobs')
      .set({ admission: 'admitted', updated_at: now, version_no: job.version + 1 })
      .where('id', '=', job.id)
      .where('version_no', '=', job.version)
      .executeTakeFirst();
    // A report or a stop changed it meanwhile: the next pass judges it again.
    if (Number(updated.numUpdatedRows) !== 1) continue;
    book.take(job);
    const after: Job = { ...job, admission: 'admitted', updatedAt: now, version: job.version + 1 };
    await recordStartRequest(ctx, tx, after);
    admitted.push(after);
  }
  return admitted;
}

/**
 * Where a new backup goes. A user's explicit request runs at once, as a restore does (it still takes a slot, so
 * scheduled backups wait for it). A scheduled backup is 'admitted' when it fits now, after older waiting backups had
 * their turn, else 'waiting'. Call inside the transaction that creates it, after `takeAdmissionTurn`.
 */
export async function placeNewBackup(ctx: AppContext, tx: Tx, backup: Candidate & { startState: JobStartState }): Promise<'admitted' | 'waiting'> {
  await admitWaiting(ctx, tx);
  if (backup.startState === BackupState.start_requested) return 'admitted';
  const book = await SlotBook.load(tx, ctx.config.maxRunningBackups, [backup]);
  if (book.fits(backup)) return 'admitted';
  // The server puts it in the queue: a move the backup state machine allows the server alone to make this way.
  assertTransition(backupMachine, backup.startState, BackupState.queued, 'server');
  return 'waiting';
}

/** One admission pass in its own transaction; skipped cheaply when nothing waits. */
export async function runAdmissionPass(ctx: AppContext): Promise<Job[]> {
  const any = await ctx.store.db.selectFrom('jobs').select('id').where('admission', '=', 'waiting').where('state', '=', BackupState.queued).limit(1).executeTakeFirst();
  if (!any) return [];
  return ctx.store.transaction(async (tx) => {
    await takeAdmissionTurn(tx);
    return admitWaiting(ctx, tx);
  });
}
