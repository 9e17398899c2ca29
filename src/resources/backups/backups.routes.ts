import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { badRequest } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { requireLevel } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { findConfiguration } from '../configurations/configuration.fetcher.js';
import { assertMayStart } from '../jobs/job-start-actor.js';
import { jobHandlers } from '../jobs/job.handlers.js';
import { createBackup } from './backup-create.action.js';
import { parseBackupCreate } from './backup-create.message.js';
import { backupListFilter } from './backup-list.filter.js';
import { BACKUP_FIELDS, presentBackup, type BackupView } from './backup.presenter.js';
import { loadRestorability } from './backup-restorable.js';
import { loadProjectQueue } from '../queue/queue-positions.js';
import { assertBackupMayStart } from './backup-start.rules.js';
import { JOB_START_STATES } from '../../domain/job-states.js';
import type { Job } from '../jobs/job.js';

const CreateBody = Type.Object({ configuration_id: Type.String(), state: Type.String({ enum: [...JOB_START_STATES] }) });

async function loadBackupView(context: AppContext, projectId: string, backups?: readonly Pick<Job, 'vaultId'>[]): Promise<BackupView> {
  const [restorability, queue] = await Promise.all([
    loadRestorability(
      context.store.db,
      projectId,
      undefined,
      backups?.map((backup) => backup.vaultId),
    ),
    loadProjectQueue(context.store.db, projectId),
  ]);
  return { restorability, queue };
}

export async function backupRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post(
    '/v2/:project_id/backups',
    { schema: { tags: ['backups'], summary: 'Start a backup (user: start_requested; agent with X-Agent-Id: start_scheduled)', body: CreateBody }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const message = parseBackupCreate(request.body);
      const configuration = await findConfiguration(ctx.store.db, scope.projectId, message.configurationId);
      if (!configuration) throw badRequest('Validation failed.', [`configuration_id ${message.configurationId} is not a configuration of this project.`]);
      requireLevel(scope.caller, 'creator');
      assertMayStart(scope.caller, message.state, configuration.agentId);
      const agent = await fetchAgent(ctx.store.db, scope.projectId, configuration.agentId);
      assertBackupMayStart(configuration, agent);
      const job = await createBackup(ctx, configuration, agent.vault.id, message);
      const view = await loadBackupView(ctx, scope.projectId, [job]);
      return reply
        .code(201)
        .header('location', scope.urls.v2('backups', job.id))
        .send(presentBackup(job, scope.urls, view));
    },
  );

  const job = jobHandlers<BackupView>(ctx, {
    kind: 'backup',
    present: (backup, urls, view) => presentBackup(backup, urls, view),
    listItem: { fields: BACKUP_FIELDS, present: (backup, urls, view) => presentBackup(backup, urls, view) },
    loadView: loadBackupView,
    listFilter: (request, scope) => backupListFilter(ctx, request, scope),
  });
  app.get('/v2/:project_id/backups', job.list.options, job.list.handler);
  app.get('/v2/:project_id/backups/:backup_id', job.show.options, job.show.handler);
  app.patch('/v2/:project_id/backups/:backup_id', job.report.options, job.report.handler);
  app.get('/v2/:project_id/backups/:backup_id/errors', job.errors.options, job.errors.handler);
}
