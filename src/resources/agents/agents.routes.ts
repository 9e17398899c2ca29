import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { requireLevel, requireUserCaller } from '../../server/caller.js';
import { v2Scope } from '../../server/request-scope.js';
import { ensureProject } from '../identity/projects.js';
import { USERS_ONLY } from './agent.js';
import { fetchAgent, listAgents } from './agent.fetcher.js';
import { agentLogin, parseAgentLogin } from './agent-login.action.js';
import { presentAgent } from './agent.presenter.js';
import { registerAgent } from './agent-register.action.js';
import { parseAgentRegister } from './agent-register.message.js';
import { deleteAgent } from './agent-delete.action.js';
import { patchAgent } from './agent-patch.action.js';
import { AGENT_PATCH, parseAgentPatch } from './agent-patch.message.js';
import { agentStatus } from './agent-status.js';
import { agentVaultRoutes } from './agent-vault.routes.js';
import { assertMayListProject } from './agent.permission.js';
import { patchBodySchema } from '../common/patch-body.schema.js';

const RegisterBody = Type.Object({
  name: Type.String(),
  version: Type.String(),
  host: Type.Object({
    flavor: Type.String({ enum: ['nova', 'rackspace_dedicated', 'rackspace_private_cloud'] }),
    region: Type.Union([Type.String(), Type.Null()]),
    machine: Type.Object({ id: Type.String() }),
    os: Type.Object({ name: Type.String(), version: Type.String(), architecture: Type.String() }),
    fingerprint: Type.String(),
    addresses: Type.Array(Type.Object({ version: Type.Integer(), addr: Type.String() })),
  }),
  rsa_public_key: Type.Object({ modulus: Type.String(), exponent: Type.Union([Type.Integer(), Type.String()]) }),
  vault: Type.Optional(
    Type.Object({
      use_internal: Type.Optional(Type.Boolean()),
      key_custody: Type.Optional(
        Type.String({ enum: ['server', 'private'], description: 'server (default): the server keeps a recovery copy of the vault key; private: only the vault password opens it elsewhere' }),
      ),
    }),
  ),
});

const tags = ['agents'];

export async function agentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/v2/:project_id/agents', { schema: { tags, summary: 'Register an agent', body: RegisterBody }, attachValidation: true }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'creator');
    requireUserCaller(scope.caller, 'An agent cannot register another agent.');
    const message = parseAgentRegister(request.body);
    await ensureProject(ctx.store.db, scope.projectId);
    const registeredBy = scope.caller.kind === 'user' || scope.caller.kind === 'admin' ? scope.caller.userId : null;
    const { agent, password } = await registerAgent(ctx, scope.projectId, registeredBy, message);
    const body = presentAgent(agent, scope.urls);
    return reply
      .code(201)
      .header('location', scope.urls.v2('agents', agent.id))
      .send({ ...body, password });
  });

  app.post('/v2/:project_id/agents/tokens', { config: { public: true }, schema: { tags, summary: 'Agent login' } }, async (request) => {
    const projectId = (request.params as { project_id: string }).project_id;
    const token = await agentLogin(ctx, projectId === '_' ? String(request.headers['x-project-id'] ?? '') : projectId, parseAgentLogin(request.body), request.ip);
    return { token };
  });

  app.get('/v2/:project_id/agents', { schema: { tags, summary: 'List agents', querystring: Type.Object({ host_machine_id: Type.Optional(Type.String()) }) } }, async (request) => {
    const scope = v2Scope(request, ctx);
    requireLevel(scope.caller, 'observer');
    assertMayListProject(scope.caller, 'agents');
    const machineId = (request.query as { host_machine_id?: string }).host_machine_id;
    const agents = await listAgents(ctx.store.db, scope.projectId, machineId);
    return { agents: agents.map((agent) => presentAgent(agent, scope.urls)) };
  });

  app.get('/v2/:project_id/agents/:agent_id', { schema: { tags, summary: 'Agent details' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, (request.params as { agent_id: string }).agent_id);
    requireLevel(scope.caller, 'observer');
    return presentAgent(agent, scope.urls);
  });

  app.patch(
    '/v2/:project_id/agents/:agent_id',
    {
      schema: { tags, summary: 'Enable or disable an agent, change its vault region or use_internal, its log level', body: patchBodySchema(AGENT_PATCH) },
      attachValidation: true,
    },
    async (request, reply) => {
      const scope = v2Scope(request, ctx);
      const agent = await fetchAgent(ctx.store.db, scope.projectId, (request.params as { agent_id: string }).agent_id);
      const message = parseAgentPatch(request.body);
      requireLevel(scope.caller, 'creator');
      requireUserCaller(scope.caller, USERS_ONLY);
      await patchAgent(ctx, agent.id, message, (current) => presentAgent(current, scope.urls));
      return reply.code(204).send();
    },
  );

  app.delete('/v2/:project_id/agents/:agent_id', { schema: { tags, summary: 'Delete an agent with its configurations and jobs' } }, async (request, reply) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, (request.params as { agent_id: string }).agent_id);
    requireLevel(scope.caller, 'admin');
    requireUserCaller(scope.caller, USERS_ONLY);
    await deleteAgent(ctx, agent.id);
    return reply.code(204).send();
  });

  app.get('/v2/:project_id/agents/:agent_id/status', { schema: { tags, summary: 'Whether the agent is busy and online' } }, async (request) => {
    const scope = v2Scope(request, ctx);
    const agent = await fetchAgent(ctx.store.db, scope.projectId, (request.params as { agent_id: string }).agent_id);
    requireLevel(scope.caller, 'observer');
    // Read this node's own sightings too: the agent's request a moment ago says online at once.
    await ctx.sightings.flush();
    return agentStatus(ctx.store.db, agent.id, ctx.config.idleHeartbeatSeconds * 1000);
  });

  await agentVaultRoutes(app, ctx);
}
