import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { isRestorable } from '../backups/backup-restorable.js';
import { jobHandlers } from '../jobs/job.handlers.js';
import { createRestore } from './restore-create.action.js';
import { parseRestoreCreate } from './restore-create.message.js';
import { fetchRestoreInputs } from './restore-inputs.fetcher.js';
import { presentRestore, presentRestoreListItem, RESTORE_FIELDS } from './restore.presenter.js';
import { assertDestinationCanOpenVault, assertPasswordMatchesVault, assertRestoreMayStart } from './restore-start.rules.js';

const PathItem = Type.Object({ type: Type.String({ enum: ['file', 'folder'] }), path: Type.String() });
const CreateBody = Type.Object({
  backup_id: Type.String(),
  destination_agent_id: Type.String(),
  destination_path: Type.Union([Type.String(), Type.Null()]),
  overwrite_files: Type.Optional(Type.Boolean()),
  encrypted_password_hex: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  inclusions: Type.Optional(Type.Array(PathItem)),
  exclusions: Type.Optional(Type.Array(PathItem)),
});

export async function restoreRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/v2/:project_id/restores', { schema: { tags: ['restores'], summary: 'Start a restore', body: CreateBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const message = parseRestoreCreate(request.body);
    const { backup, destination, source, restorability, serverHoldsSourceKey } = await fetchRestoreInputs(ctx.store.db, scope.projectId, message);
    if (source) assertPasswordMatchesVault(source, message);
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, 'Restores are started by users, not agents.');
    assertRestoreMayStart(source, isRestorable(backup, restorability), destination);
    assertDestinationCanOpenVault(source, destination, message, serverHoldsSourceKey);
    const job = await createRestore(ctx, backup, source, destination, message);
    return reply.code(201).header('location', scope.urls.v2('restores', job.id)).send(presentRestore(job, scope.urls));
  });

  const job = jobHandlers(ctx, { kind: 'restore', present: presentRestore, listItem: { fields: RESTORE_FIELDS, present: presentRestoreListItem } });
  app.get('/v2/:project_id/restores', job.list.options, job.list.handler);
  app.get('/v2/:project_id/restores/:restore_id', job.show.options, job.show.handler);
  app.patch('/v2/:project_id/restores/:restore_id', job.report.options, job.report.handler);
  app.get('/v2/:project_id/restores/:restore_id/errors', job.errors.options, job.errors.handler);
}
