import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import { assertMayListProject } from '../agents/agent.permission.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { parseAlertSettings, readAlertSettings, writeAlertSettings } from './alert-settings.js';
import { parseSummarySettings, readSummarySettings, writeSummarySettings } from './summary-settings.js';

const tags = ['settings'];
const SettingsBody = Type.Object({
  daily: Type.Optional(Type.Boolean()),
  weekly: Type.Optional(Type.Boolean()),
  notifications: Type.Array(Type.Object({ type: Type.String({ enum: ['email'] }), destination: Type.String() })),
});

export async function settingsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/v2/:project_id/settings/summaries', { schema: { tags, summary: 'Daily and weekly summary e-mail settings' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, 'summary settings');
    return readSummarySettings(ctx.store.db, scope.projectId);
  });

  app.put('/v2/:project_id/settings/summaries', { schema: { tags, summary: 'Replace the summary e-mail settings', body: SettingsBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const settings = parseSummarySettings(request.body);
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, 'Summary settings are changed by users, not agents.');
    await writeSummarySettings(ctx.store.db, scope.projectId, settings);
    return reply.code(204).send();
  });

  app.get('/v2/:project_id/settings/alerts', { schema: { tags, summary: 'Alert settings: when an agent counts as offline' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, 'alert settings');
    return readAlertSettings(ctx.store.db, scope.projectId);
  });

  app.put('/v2/:project_id/settings/alerts', { schema: { tags, summary: 'Replace the alert settings' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const settings = parseAlertSettings(request.body);
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, 'Alert settings are changed by users, not agents.');
    await writeAlertSettings(ctx.store.db, scope.projectId, settings);
    return reply.code(204).send();
  });
}
