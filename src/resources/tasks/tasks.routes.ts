import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../server/context.js';
import { paginationEnvelope } from '../common/v3-pagination.js';
import { applyTaskReport } from './task-report.action.js';
import { parseTaskReport } from './task-report.message.js';
import { cancelTask } from './task-cancel.action.js';
import { createTask } from './task-create.action.js';
import { parseTaskCreate } from './task-create.message.js';
import { fetchVisibleAgent, fetchVisibleTask } from './task.fetcher.js';
import { parseTaskList } from './task-list.message.js';
import { listTasks } from './task-list.query.js';
import { updateTaskMetadata } from './task-metadata.action.js';
import { appendTaskOutput, readTaskOutput } from './task-output.action.js';
import { presentTask } from './task.presenter.js';
import { canSeeCommand, taskScope } from './task-scope.js';
import { assertIsTasksAgent, assertMayManageTasks } from './task.permission.js';
import { parseTaskUpdate } from './task-update.message.js';
import { isJsonPatchRequest, parseJsonBody } from './v3-request-body.js';

const tags = ['tasks'];
const TaskGuid = Type.Object({ guid: Type.String() });
const ListQuery = Type.Object(
  {
    page: Type.Optional(Type.String()),
    per_page: Type.Optional(Type.String({ description: '1–5000, default 50' })),
    order_by: Type.Optional(Type.String({ enum: ['created_at', '+created_at', '-created_at', 'updated_at', '+updated_at', '-updated_at'] })),
    guids: Type.Optional(Type.String({ description: 'comma-separated' })),
    names: Type.Optional(Type.String({ description: 'comma-separated' })),
    states: Type.Optional(Type.String({ description: 'comma-separated' })),
    label_selector: Type.Optional(Type.String()),
    created_ats: Type.Optional(Type.String({ description: 'comma-separated seconds; or created_ats[lt|lte|gt|gte]=T' })),
    updated_ats: Type.Optional(Type.String({ description: 'comma-separated seconds; or updated_ats[lt|lte|gt|gte]=T' })),
  },
  { additionalProperties: true },
);
const CreateBody = Type.Object({
  command: Type.String(),
  name: Type.Optional(Type.String()),
  user: Type.Optional(Type.String()),
  memory_in_mb: Type.Optional(Type.Integer()),
  disk_in_mb: Type.Optional(Type.Integer()),
  log_rate_limit_in_bytes_per_second: Type.Optional(Type.Integer()),
  droplet_guid: Type.Optional(Type.String({ description: 'a restorable backup of the agent' })),
  metadata: Type.Optional(Type.Object({ labels: Type.Optional(Type.Record(Type.String(), Type.String())), annotations: Type.Optional(Type.Record(Type.String(), Type.String())) })),
});

/**
 * The V3 Tasks API (docs/reference/cf-v3-tasks.md with the mapping of the docs/reference/README.md). The routes live in their own
 * encapsulated scope whose only body parser keeps the raw text: each handler parses it after the token and scope
 * checks, in Cloud Controller's order.
 */
export async function taskRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    registerTaskRoutes(scoped, ctx);
  });
}

function guidOf(request: FastifyRequest): string {
  return (request.params as { guid: string }).guid;
}

function registerTaskRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post('/v3/agents/:guid/tasks', { schema: { tags, summary: 'Create a task for an agent (202, PENDING)', params: TaskGuid, body: CreateBody }, attachValidation: true }, async (request, reply) => {
    const scope = taskScope(request, ctx);
    const message = parseTaskCreate(parseJsonBody(request));
    const agent = await fetchVisibleAgent(ctx.store.db, scope.caller, guidOf(request));
    assertMayManageTasks(scope.caller);
    const task = await createTask(ctx, agent, message);
    return reply.code(202).send(presentTask(task, scope.base, { showCommand: true }));
  });

  app.get('/v3/tasks', { schema: { tags, summary: 'List tasks (never shows command)', querystring: ListQuery }, attachValidation: true }, async (request) => {
    const scope = taskScope(request, ctx);
    const message = parseTaskList(request.url, false);
    const { tasks, total } = await listTasks(ctx.store.db, { caller: scope.caller }, message);
    return {
      pagination: paginationEnvelope(`${scope.base}/v3/tasks`, message.paging, total, message.linkPairs),
      resources: tasks.map((task) => presentTask(task, scope.base, { showCommand: false })),
    };
  });

  app.get('/v3/agents/:guid/tasks', { schema: { tags, summary: "List an agent's tasks", params: TaskGuid, querystring: ListQuery }, attachValidation: true }, async (request) => {
    const scope = taskScope(request, ctx);
    const message = parseTaskList(request.url, true);
    const agent = await fetchVisibleAgent(ctx.store.db, scope.caller, guidOf(request));
    const { tasks, total } = await listTasks(ctx.store.db, { caller: scope.caller, agentId: agent.id }, message);
    const showCommand = canSeeCommand(scope.caller, agent.id);
    return {
      pagination: paginationEnvelope(`${scope.base}/v3/agents/${encodeURIComponent(agent.id)}/tasks`, message.paging, total, message.linkPairs),
      resources: tasks.map((task) => presentTask(task, scope.base, { showCommand })),
    };
  });

  app.get('/v3/tasks/:guid', { schema: { tags, summary: 'Get a task', params: TaskGuid } }, async (request) => {
    const scope = taskScope(request, ctx);
    const task = await fetchVisibleTask(ctx.store.db, scope.caller, guidOf(request));
    return presentTask(task, scope.base, { showCommand: canSeeCommand(scope.caller, task.agentId) });
  });

  app.patch(
    '/v3/tasks/:guid',
    {
      schema: {
        tags,
        summary: "Update a task's metadata (application/json), or the agent's state report (application/json-patch+json)",
        params: TaskGuid,
      },
      attachValidation: true,
    },
    async (request) => (isJsonPatchRequest(request) ? reportTaskState(request) : updateTaskMetadataRequest(request)),
  );

  /** The agent's state report: a JSON Patch (application/json-patch+json), from the task's own agent only. */
  async function reportTaskState(request: FastifyRequest) {
    const scope = taskScope(request, ctx);
    const message = parseTaskReport(parseJsonBody(request));
    const task = await fetchVisibleTask(ctx.store.db, scope.caller, guidOf(request));
    assertIsTasksAgent(scope.caller, task.agentId);
    const present = (current: typeof task) => presentTask(current, scope.base, { showCommand: true });
    return present(await applyTaskReport(ctx, task.id, message, present));
  }

  /** Cloud Controller's metadata update (application/json): labels and annotations, by people who manage tasks. */
  async function updateTaskMetadataRequest(request: FastifyRequest) {
    const scope = taskScope(request, ctx);
    const message = parseTaskUpdate(parseJsonBody(request));
    const task = await fetchVisibleTask(ctx.store.db, scope.caller, guidOf(request));
    assertMayManageTasks(scope.caller);
    const updated = await updateTaskMetadata(ctx, task.id, message.metadata);
    return presentTask(updated, scope.base, { showCommand: true });
  }

  const cancel = async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
    const scope = taskScope(request, ctx);
    const task = await fetchVisibleTask(ctx.store.db, scope.caller, guidOf(request));
    assertMayManageTasks(scope.caller);
    const canceled = await cancelTask(ctx, task.id);
    return reply.code(202).send(presentTask(canceled, scope.base, { showCommand: true }));
  };
  app.post('/v3/tasks/:guid/actions/cancel', { schema: { tags, summary: 'Cancel a task (202, CANCELING)', params: TaskGuid } }, cancel);
  app.put('/v3/tasks/:guid/cancel', { schema: { tags, summary: 'Cancel a task (deprecated form)', params: TaskGuid, deprecated: true } }, cancel);

  app.get('/v3/tasks/:guid/output', { schema: { tags, summary: "The last 1 MiB of the command's output (text/plain)", params: TaskGuid } }, async (request, reply) => {
    const scope = taskScope(request, ctx);
    const task = await fetchVisibleTask(ctx.store.db, scope.caller, guidOf(request));
    const { output, totalBytes } = await readTaskOutput(ctx, task.id);
    return reply.type('text/plain; charset=utf-8').header('x-output-total-bytes', String(totalBytes)).send(output);
  });

  app.post('/v3/tasks/:guid/output', { schema: { tags, summary: 'Append output (the task’s agent; text/plain body)', params: TaskGuid } }, async (request, reply) => {
    const scope = taskScope(request, ctx);
    const task = await fetchVisibleTask(ctx.store.db, scope.caller, guidOf(request));
    assertIsTasksAgent(scope.caller, task.agentId);
    const chunk = typeof request.body === 'string' ? request.body : '';
    await appendTaskOutput(ctx, task.id, chunk);
    return reply.code(204).send();
  });
}
