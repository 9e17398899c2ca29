import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, notFound } from '../../errors/app-error.js';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { fetchAgent } from '../agents/agent.fetcher.js';
import type { Logfile } from './logfile.js';
import { assertUploader, LOGFILES_BY_ADMINISTRATORS, logfileActor } from './logfile.permission.js';
import { LOGFILE_MAX_BYTES, tooLarge } from './logfile-blob.js';
import { deleteLogfile, uploadLogfileContent } from './logfile-content.action.js';
import { requestLogfile } from './logfile-create.action.js';
import { fetchLinkedLogfile, fetchLogfile, listAgentLogfiles } from './logfile.fetcher.js';
import { patchLogfile } from './logfile-patch.action.js';
import { LOGFILE_PATCH, parseLogfilePatch } from './logfile-patch.message.js';
import { logfileContentPath, presentLogfile } from './logfile.presenter.js';
import { TempUrlSigner } from './logfile-signing.js';
import { patchBodySchema } from '../common/patch-body.schema.js';

const tags = ['logfiles'];
/** What an agent may send as the file: gzip, or bytes without a declared type. */
const UPLOAD_TYPES = new Set(['application/gzip', 'application/x-gzip', 'application/octet-stream']);

type Params = { agent_id: string; logfile_id: string };

export async function logfileRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const signer = new TempUrlSigner(ctx.store);
  const params = (request: FastifyRequest) => request.params as Params;

  app.post('/v2/:project_id/agents/:agent_id/logfiles', { schema: { tags, summary: 'Ask an agent to upload its log file' } }, async (request, reply) => {
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
    const logfiles = await listAgentLogfiles(ctx.store.db, agent.id);
    return { logfiles: await Promise.all(logfiles.map((logfile) => presentLogfile(logfile, scope.urls, signer))) };
  });

  app.get('/v2/:project_id/agents/:agent_id/logfiles/:logfile_id', { schema: { tags, summary: 'Log file details' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const logfile = await fetchLogfile(ctx.store.db, scope.projectId, params(request).agent_id, params(request).logfile_id);
    requireLevel(scope.caller, 'admin');
    return presentLogfile(logfile, scope.urls, signer);
  });

  app.patch(
    '/v2/:project_id/agents/:agent_id/logfiles/:logfile_id',
    { schema: { tags, summary: "The agent reports its upload's state (replace /state)", body: patchBodySchema(LOGFILE_PATCH) }, attachValidation: true },
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
    await deleteLogfile(ctx, logfile);
    return reply.code(204).send();
  });

  // The file itself: its own body limit and a streaming parser, scoped to these routes only.
  await app.register(async (files) => {
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', (request, payload, done) => {
      const type = String(request.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
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
        assertUploader(scope.caller, logfile.agentId);
        if (Number(request.headers['content-length'] ?? 0) > LOGFILE_MAX_BYTES) throw tooLarge();
        const body = request.body as Readable | undefined;
        if (!body || typeof (body as Readable).pipe !== 'function') throw new AppError('bad_request', 'The request body must be the gzip log file.');
        await uploadLogfileContent(ctx, logfile, body);
        return reply.code(204).send();
      },
    );

    files.get(
      '/v2/:project_id/agents/:agent_id/logfiles/:logfile_id/content',
      { config: { public: true }, schema: { tags, summary: 'Download an uploaded log file with its signed logfile_temp_url' } },
      async (request, reply) => {
        const { agent_id: agentId, logfile_id: id } = params(request);
        const query = request.query as Record<string, unknown>;
        const logfile = await fetchLinkedLogfile(ctx.store.db, (request.params as { project_id: string }).project_id, agentId, id);
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
