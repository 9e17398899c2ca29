import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import { isSingularSpelling, requestPathSpellings } from '../common/request-path-spellings.js';
import { USERS_ONLY } from './agent.js';
import type { AppContext } from '../../server/context.js';
import { v2Scope } from '../../server/request-scope.js';
import { fetchAgent } from './agent.fetcher.js';
import { assertAgentAnswers, fetchAgentRequest, fetchAgentRequestResult } from './agent-request.js';
import { parseVaultEncryptionReport, parseVaultEncryptionRequest, reportVaultEncryption, requestVaultEncryption } from './vault-encryption.js';
import { moveVault, parseVaultMove } from './vault-move.js';
import { parsePasswordVerificationReport, parsePasswordVerificationRequest, reportPasswordVerification, requestPasswordVerification } from './vault-password-verification.js';

const tags = ['agents'];

type Params = { agent_id: string; request_id: string };

export async function agentVaultRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const params = (request: FastifyRequest) => request.params as Params;

  app.post(
    '/v2/:project_id/agents/:agent_id/vault',
    { schema: { tags, summary: "Move another agent's vault to this agent", body: Type.Object({ source_agent_id: Type.String() }) }, attachValidation: true },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const destination = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
      const message = parseVaultMove(request.body, destination.id);
      requireLevel(scope.caller, 'admin');
      requireUserCaller(scope.caller, USERS_ONLY);
      await moveVault(ctx, destination, message.sourceAgentId);
      return reply.code(204).send();
    },
  );

  for (const collection of requestPathSpellings('vault-encryption-requests')) {
    app.post(
      `/v2/:project_id/agents/:agent_id/${collection}`,
      {
        schema: {
          tags,
          hide: isSingularSpelling(collection),
          summary: "Enable or change the encryption of the agent's vault",
          body: Type.Object({ old_encrypted_password_hex: Type.Optional(Type.Union([Type.String(), Type.Null()])), new_encrypted_password_hex: Type.String() }),
        },
        attachValidation: true,
      },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const message = parseVaultEncryptionRequest(request.body);
        requireLevel(scope.caller, 'creator');
        requireUserCaller(scope.caller, USERS_ONLY);
        const requestId = await requestVaultEncryption(ctx, agent, message);
        return reply
          .code(202)
          .header('location', scope.urls.v2('agents', agent.id, 'vault-encryption-requests', requestId))
          .send();
      },
    );

    app.post(
      `/v2/:project_id/agents/:agent_id/${collection}/:request_id`,
      {
        schema: {
          tags,
          hide: isSingularSpelling(collection),
          summary: 'The agent reports the result of a vault encryption request',
          body: Type.Object({ action: Type.String({ enum: ['enabled', 'changed'] }), succeeded: Type.Boolean() }),
        },
        attachValidation: true,
      },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['vault_encryption'], params(request).request_id, { agentId: agent.id });
        const report = parseVaultEncryptionReport(request.body, pending);
        requireLevel(scope.caller, 'creator');
        assertAgentAnswers(scope.caller, agent.id);
        await reportVaultEncryption(ctx, pending, report);
        return reply.code(204).send();
      },
    );

    app.get(
      `/v2/:project_id/agents/:agent_id/${collection}/:request_id`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: 'Result of a vault encryption request (404 until the agent reports)' } },
      async (request) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['vault_encryption'], params(request).request_id, { agentId: agent.id });
        requireLevel(scope.caller, 'creator');
        requireUserCaller(scope.caller, USERS_ONLY);
        return fetchAgentRequestResult(ctx.store.db, pending, ['vault_encryption_enabled', 'vault_encryption_changed'], 'The agent has not reported the result of this request yet.');
      },
    );
  }

  for (const collection of requestPathSpellings('vault-password-verification-requests')) {
    app.post(
      `/v2/:project_id/agents/:agent_id/${collection}`,
      {
        schema: {
          tags,
          hide: isSingularSpelling(collection),
          summary: "Ask the agent to verify a vault's password",
          body: Type.Object({ encrypted_password_hex: Type.String(), agent_id: Type.Optional(Type.Union([Type.String(), Type.Null()])) }),
        },
        attachValidation: true,
      },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const message = parsePasswordVerificationRequest(request.body);
        requireLevel(scope.caller, 'observer');
        requireUserCaller(scope.caller, USERS_ONLY);
        const requestId = await requestPasswordVerification(ctx, agent, message);
        return reply
          .code(202)
          .header('location', scope.urls.v2('agents', agent.id, 'vault-password-verification-requests', requestId))
          .send();
      },
    );

    app.post(
      `/v2/:project_id/agents/:agent_id/${collection}/:request_id`,
      {
        schema: { tags, hide: isSingularSpelling(collection), summary: 'The agent reports the result of a password verification', body: Type.Object({ verified: Type.Boolean() }) },
        attachValidation: true,
      },
      async (request, reply) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['vault_password_verification'], params(request).request_id, { agentId: agent.id });
        const report = parsePasswordVerificationReport(request.body);
        requireLevel(scope.caller, 'creator');
        assertAgentAnswers(scope.caller, agent.id);
        await reportPasswordVerification(ctx, pending, report);
        return reply.code(204).send();
      },
    );

    app.get(
      `/v2/:project_id/agents/:agent_id/${collection}/:request_id`,
      { schema: { tags, hide: isSingularSpelling(collection), summary: 'Result of a password verification (404 until the agent reports)' } },
      async (request) => {
        const scope = v2Scope(request, ctx);
        const agent = await fetchAgent(ctx.store.db, scope.projectId, params(request).agent_id);
        const pending = await fetchAgentRequest(ctx.store.db, scope.projectId, ['vault_password_verification'], params(request).request_id, { agentId: agent.id });
        requireLevel(scope.caller, 'observer');
        requireUserCaller(scope.caller, USERS_ONLY);
        return fetchAgentRequestResult(ctx.store.db, pending, ['vault_password_verified'], 'The agent has not reported the result of this request yet.');
      },
    );
  }
}
