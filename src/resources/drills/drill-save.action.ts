import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { drillRunMachine } from '../../domain/state-machines/drill-machine.js';
import { badRequest, conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import type { Database } from '../../store/database.js';
import type { Tx } from '../../store/store.js';
import type { Drill } from './drill.js';
import type { DrillFields } from './drill.message.js';
import { nextRunTime } from './drill-schedule.js';

/** The configuration and agent a drill names must be of the project (and the configuration not deleted): 400 naming the field. */
async function resolveReferences(db: Kysely<Database>, projectId: string, configurationId: string, agentId: string | undefined): Promise<{ agentId: string }> {
  const configuration = await db.selectFrom('configurations').select(['agent_id', 'deleted']).where('id', '=', configurationId).where('project_id', '=', projectId).executeTakeFirst();
  if (!configuration || configuration.deleted === 1) throw badRequest('Validation failed.', [`configuration_id ${configurationId} is not a configuration of this project.`]);
  const chosen = agentId ?? configuration.agent_id;
  const agent = await db.selectFrom('agents').select('id').where('id', '=', chosen).where('project_id', '=', projectId).executeTakeFirst();
  if (!agent) throw badRequest('Validation failed.', [`agent_id ${chosen} is not an agent of this project.`]);
  return { agentId: chosen };
}

/** What must hold of the drill before it is written (its scratch folder is empty, asked of its agent). */
export type DrillCheck = (drill: Drill) => Promise<void>;

export async function createDrill(ctx: AppContext, projectId: string, fields: DrillFields, check: DrillCheck): Promise<Drill> {
  const { agentId } = await resolveReferences(ctx.store.db, projectId, fields.configurationId, fields.agentId);
  const now = isoNow();
  const drill: Drill = {
    seq: 0,
    id: randomUUID(),
    projectId,
    configurationId: fields.configurationId,
    name: fields.name,
    agentId,
    targetPath: fields.targetPath,
    command: fields.command,
    user: fields.user,
    schedule: fields.schedule,
    timeoutSeconds: fields.timeoutSeconds,
    enabled: fields.enabled,
    nextRunTime: null,
    createdAt: now,
    updatedAt: now,
  };
  drill.nextRunTime = nextRunTime(drill, new Date());
  await check(drill);
  const row = await ctx.store.db.insertInto('drills').values(columns(drill)).returning('seq').executeTakeFirstOrThrow();
  return { ...drill, seq: Number(row.seq) };
}

/** Applies the fields sent; a new schedule (or enabling) counts the next run from now. */
export async function updateDrill(ctx: AppContext, drill: Drill, fields: Partial<DrillFields>, check: DrillCheck): Promise<Drill> {
  if (fields.agentId !== undefined) await resolveReferences(ctx.store.db, drill.projectId, drill.configurationId, fields.agentId);
  const next: Drill = {
    ...drill,
    name: fields.name ?? drill.name,
    agentId: fields.agentId ?? drill.agentId,
    targetPath: fields.targetPath ?? drill.targetPath,
    command: fields.command ?? drill.command,
    user: fields.user === undefined ? drill.user : fields.user,
    schedule: fields.schedule === undefined ? drill.schedule : fields.schedule,
    timeoutSeconds: fields.timeoutSeconds ?? drill.timeoutSeconds,
    enabled: fields.enabled ?? drill.enabled,
    updatedAt: isoNow(),
  };
  if (fields.schedule !== undefined || fields.enabled !== undefined) next.nextRunTime = nextRunTime(next, new Date());
  await check(next);
  await ctx.store.db.updateTable('drills').set(columns(next)).where('id', '=', drill.id).execute();
  return next;
}

/**
 * Deletes the drill with its runs (their restores and tasks stay, as jobs of their own). Not while a run is going:
 * its agent would be left with a scratch folder nobody checks or removes.
 */
export async function deleteDrill(ctx: AppContext, drill: Drill): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    await lockDrill(tx, drill.id);
    const open = await tx.db
      .selectFrom('drill_runs')
      .select(['id', 'deadline_at'])
      .where('drill_id', '=', drill.id)
      .where('state', 'not in', [...drillRunMachine.terminal])
      .executeTakeFirst();
    if (open) throw conflict(`The drill has a run in progress (${open.id}); delete it once that run has ended (at the latest at ${open.deadline_at}).`);
    await tx.db.deleteFrom('drill_runs').where('drill_id', '=', drill.id).execute();
    await tx.db.deleteFrom('drills').where('id', '=', drill.id).execute();
  });
}

/** Takes the drill row's write lock: a run starting and the drill's deletion wait for each other (PostgreSQL; SQLite has one writer). */
export async function lockDrill(tx: Tx, id: string): Promise<void> {
  await tx.db
    .updateTable('drills')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id)
    .execute();
}

function columns(drill: Drill) {
  return {
    id: drill.id,
    project_id: drill.projectId,
    configuration_id: drill.configurationId,
    name: drill.name,
    agent_id: drill.agentId,
    target_path: drill.targetPath,
    command: drill.command,
    run_user: drill.user,
    schedule: drill.schedule === null ? null : JSON.stringify(drill.schedule),
    timeout_seconds: drill.timeoutSeconds,
    enabled: drill.enabled ? 1 : 0,
    next_run_time: drill.nextRunTime,
    created_at: drill.createdAt,
    updated_at: drill.updatedAt,
  };
}
