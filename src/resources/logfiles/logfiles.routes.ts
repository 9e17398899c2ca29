import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError, conflict, forbidden, notFound } from '../../errors/app-error.js';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import { logfileFromRow, type Logfile } from './logfile.js';
import { LOGFILES_BY_ADMINISTRATORS, logfileActor } from './logfile-access.js';
import { LOGFILE_MAX_BYTES, logfileBlobPath, removeLogfileBlob, tooLarge, writeLogfileBlob } from './logfile-blob.js';
import { requestLogfile } from './logfile-create.action.js';
import { fetchLogfile } from './logfile.fetcher.js';
import { patchLogfile } from './logfile-patch.action.js';
import { parseLogfilePatch } from './logfile-patch.message.js';
import { logfileContentPath, presentLogfile } from './logfile.presenter.js';
import { TempUrlSigner } from './logfile-signing.js';

const tags = ['logfiles'];
const PatchBody = Type.Array(Type.Object({ op: Type.String(), path: Type.String(), value: Type.Optional(Type.Unknown()) }));
/** What an agent may send as the file: gzip, or bytes without a declared type. */
const UPLOAD_TYPES = new Set(['application/gzip', 'application/x-gzip', 'application/octet-stream']);

type Params = { agent_id: string; logfile_id: string };

export async function logfileRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const signer = new TempUrlSigner(ctx.store);
  const params = (request: FastifyRequest) => request.params as Params;

  app.post('/v2/:project_id/agents/:agent_id/logfiles', { schema: { tags, summary: "Ask an agent to upload its log file" } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
    requireLevel(scope.caller, 'admin');
    requireUserCaller(scope.caller, LOGFILES_BY_ADMINISTRATORS);
    const logfile = await requestLogfile(ctx, scope.projectId, agent.id, scope.urls);
    return reply
      .code(202)
      .header('location', scope.urls.v2('agents', agent.id, 'logfiles', logfile.id))
      .send(await presentLogfile(logfile, scope.urls, signer));
  });

  app.get('/v2/:project_id/agents/:agent_id/logfiles', { schema: { tags, summary: "List an agent's log files" } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
    requireLevel(scope.caller, 'admin');
    const rows = await ctx.store.db.selectFrom('logfiles').selectAll().where('agent_id', '=', agent.id).orderBy('seq', 'asc').execute();
    return { logfiles: await Promise.all(rows.map((row) => presentLogfile(logfileFromRow(row), scope.urls, signer))) };
  });

  app.get('/v2/:project_id/agents/:agent_id/logfiles/:logfile_id', { schema: { tags, summary: 'Log file details' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const logfile = await fetchLogfile(ctx.store.db, scope.projectId, params(request).agent_id, params(request).logfile_id);
    requireLevel(scope.caller, 'admin');
    return presentLogfile(logfile, scope.urls, signer);
  });

  app.patch(
    '/v2/:project_id/agents/:agent_id/logfiles/:logfile_id',
    { schema: { tags, summary: "The agent reports its upload's state (replace /state)", body: PatchBody }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const logfile = await fetchLogfile(ctx.store.db, scope.projectId, params(request).agent_id, params(request).logfile_id);
      const message = parseLogfilePatch(request.body);
      requireLevel(scope.caller, 'creator');
      const actor = logfileActor(scope.caller, logfile.agentId);
      await patchLogfile(ctx, logfile.id, actor, message, (current: Logfile) => ({ id: current.id, date: current.date, state: current.state }));
      return reply.code(204).send();
    },
  );

  app.delete('/v2/:project_id/agents/:agent_id/logfiles/:logfile_id', { schema: { tags, summary: 'Delete a log file' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const logfile = await fetchLogfile(ctx.store.db, scope.projectId, params(request).agent_id, params(request).logfile_id);
    requireLevel(scope.caller, 'admin');
    requireUserCaller(scope.caller, LOGFILES_BY_ADMINISTRATORS);
    await ctx.store.db.deleteFrom('logfiles').where('id', '=', logfile.id).execute();
    await removeLogfileBlob(ctx.blobs, logfile.blobPath);
    return reply.code(204).send();
  });

  // The file itself: its own body limit and a streaming parser, scoped to these routes only.
  await app.register(async (files) => {
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', (request, payload, done) => {
      const type = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (type !== '' && !UPLOAD_TYPES.has(type)) {
        return done(new AppError('unsupported_media_type', `Unsupported Content-Type "${type}"; send the gzip file as application/gzip.`), undefined);
      }
      done(null, payload);
    });

    files.put(
      '/v2/:project_id/agents/:agent_id/logfiles/:logfile_id/content',
      { bodyLimit: LOGFILE_MAX_BYTES, schema: { tags, summary: 'The agent uploads the gzip log file (the logfile_upload link)' } },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const logfile = await fetchLogfile(ctx.store.db, scope.projectId, params(request).agent_id, params(request).logfile_id);
        requireLevel(scope.caller, 'creator');
        if (logfileActor(scope.caller, logfile.agentId) !== 'agent') throw forbidden('Only the agent uploads its log file.');
        if (logfile.state === 'completed') throw conflict('The log file is completed; it cannot be uploaded again.');
        if (Number(request.headers['content-length'] ?? 0) > LOGFILE_MAX_BYTES) throw tooLarge();
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function') throw new AppError('bad_request', 'The request body must be the gzip log file.');
        const relative = logfileBlobPath(logfile.agentId, logfile.id);
        const size = await writeLogfileBlob(ctx.blobs, relative, body);
        const updated = await ctx.store.db
          .updateTable('logfiles')
          .set({ blob_path: relative, blob_size: size, version_no: logfile.version + 1 })
          .where('id', '=', logfile.id)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) {
          await removeLogfileBlob(ctx.blobs, relative);
          throw notFound('Log file not found.');
        }
        return reply.code(204).send();
      },
    );

    files.get(
      '/v2/:project_id/agents/:agent_id/logfiles/:logfile_id/content',
      { config: { public: true }, schema: { tags, summary: 'Download an uploaded log file with its signed logfile_temp_url' } },
      async (request, reply) => {
        const { agent_id: agentId, logfile_id: id } = params(request);
        const query = request.query as Record<string, unknown>;
        const row = await ctx.store.db.selectFrom('logfiles').selectAll().where('id', '=', id).where('agent_id', '=', agentId).executeTakeFirst();
        if (!row) throw notFound('Log file not found.');
        const logfile = logfileFromRow(row);
        const projectParam = (request.params as { project_id: string }).project_id;
        if (projectParam !== '_' && projectParam !== logfile.projectId) throw notFound('Log file not found.');
        const verdict = await signer.verify(logfileContentPath(logfile), query.temp_url_sig, query.temp_url_expires);
        if (verdict !== 'ok') {
          throw new AppError('unauthenticated', verdict === 'expired' ? 'The temporary URL has expired; read the log file again for a fresh one.' : 'The temporary URL signature is missing or wrong.');
        }
        if (!logfile.blobPath) throw notFound('The log file has not been uploaded yet.');
        const size = await ctx.blobs.stat(logfile.blobPath);
        if (size === null) throw notFound('The log file has not been uploaded yet.');
        return reply
          .header('content-type', 'application/gzip')
          .header('content-length', String(size))
          .header('content-disposition', `attachment; filename="${logfile.date.replace(/:/g, '-')}.gz"`)
          .send(await ctx.blobs.read(logfile.blobPath));
      },
    );
  });
}
