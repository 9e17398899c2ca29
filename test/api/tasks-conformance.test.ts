/**
 * The conformance checklist of docs/reference/cf-v3-tasks.md §7, adapted to Coffer's mapping (docs/reference/README.md): the agent is the
 * app, a project is the space, roles map as
 *   Cloud Foundry admin            → the global administrator (COFFER_ADMIN_TOKEN)
 *   space developer                → project `admin` and `creator` users
 *   space auditor / manager / …    → project `observer` users (read, never see `command`)
 *   no_role / org auditor / billing→ a user of another project (sees nothing: 404 or an empty list)
 *   (new) the agent's own token    → reads its own tasks with `command`, reports state; may not create, cancel, relabel
 * One case per checklist item that applies; NOT_APPLICABLE says why the others do not. Coffer creates tasks PENDING
 * (the agent, not the API, starts them), so where CF's specs expect RUNNING after create, Coffer expects PENDING.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, PROJECT, registerAgent, userToken, type RegisteredAgent, type World } from '../helpers/fixtures.js';
import {
  AGENT_NOT_FOUND,
  badQuery,
  createTask,
  eventsOf,
  insertBackup,
  NOT_AUTHORIZED,
  reportState,
  roleLessToken,
  setTaskTimes,
  TASK_KEYS,
  TASK_NOT_FOUND,
  unprocessable,
  v3,
  V3_TIME,
} from './tasks-helpers.js';
import { itemAt } from '../helpers/indexing.js';

let t: TestServer;
let w: World;
let req: ReturnType<typeof v3>;

before(async () => {
  // The server's own PENDING-expiry sweep must not touch tasks whose times the cases set in the past.
  t = await startTestServer({ taskPendingExpirySeconds: 100 * 365 * 86400 });
  w = await buildWorld(t, { tasks: true });
  req = v3(t);
});
after(async () => t.close());

const guidsOf = (body: { resources: { guid: string }[] }) => body.resources.map((r) => r.guid);
const VALID_PARAMETERS = "'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'names', 'states', 'agent_guids', 'sequence_ids', 'label_selector'";

/** A project of its own (so the top-level list holds only what the case creates), with a creator and an agent. */
async function isolatedProject(): Promise<{ project: string; creator: string; observer: string; agent: RegisteredAgent }> {
  const project = `p${randomBytes(4).toString('hex')}`;
  const creator = await userToken(t, 'creator', project);
  const observer = await userToken(t, 'observer', project);
  const agent = await registerAgent(t, creator, project, {}, { tasks: true });
  return { project, creator, observer, agent };
}

async function freshAgent(): Promise<RegisteredAgent> {
  return registerAgent(t, w.admin, PROJECT, {}, { tasks: true });
}

/** Three tasks named like CF's specs, created on `agentId`, with created_at/updated_at one second apart. */
async function threeTasks(agentId: string, token: string) {
  const one = await createTask(t, agentId, token, { name: 'task one', user: 'TestUser', memory_in_mb: 5, disk_in_mb: 10, log_rate_limit_in_bytes_per_second: 20 });
  const two = await createTask(t, agentId, token, { name: 'task two', memory_in_mb: 100, disk_in_mb: 500, log_rate_limit_in_bytes_per_second: 1024 });
  const three = await createTask(t, agentId, token, { name: 'task three' });
  const tasks = [one, two, three];
  for (const [i, task] of tasks.entries()) {
    await setTaskTimes(t, task.guid, { created_at: `2020-05-26T18:47:0${i + 1}.000000Z`, updated_at: `2020-05-26T18:48:0${i + 1}.000000Z` });
  }
  return tasks;
}

function withoutCommand(task: Record<string, unknown>) {
  const { command: _command, ...rest } = task;
  return rest;
}

interface Case {
  item: number;
  title: string;
  run(): Promise<void>;
}

const CASES: Case[] = [
  // §7.1 GET /v3/tasks
  {
    item: 1,
    title: 'GET /v3/tasks accepts every filter at once',
    async run() {
      const query =
        'page=2&per_page=10&order_by=updated_at&guids=foo,bar&agent_guids=foo,bar&names=foo,bar&states=foo,bar&label_selector=foo,bar&created_ats=2020-06-30T12:34:56Z,2020-07-30T12:34:56Z&updated_ats[gt]=2020-06-30T12:34:56Z';
      const res = await req('GET', `/v3/tasks?${query}`, w.creator);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.resources, []);
    },
  },
  {
    item: 2,
    title: 'common filters: guids, created_ats[lt], updated_ats[lt]',
    async run() {
      const agent = await freshAgent();
      const [one, two, three] = await threeTasks(agent.id, w.creator);
      const byGuids = await req('GET', `/v3/tasks?guids=${one.guid},${two.guid},not-a-task`, w.creator);
      assert.deepEqual(guidsOf(byGuids.body), [one.guid, two.guid]);
      const created = await req('GET', `/v3/tasks?agent_guids=${agent.id}&created_ats[lt]=2020-05-26T18:47:03Z`, w.creator);
      assert.deepEqual(guidsOf(created.body), [one.guid, two.guid]);
      const updated = await req('GET', `/v3/tasks?agent_guids=${agent.id}&updated_ats[lt]=2020-05-26T18:48:03Z`, w.creator);
      assert.deepEqual(guidsOf(updated.body), [one.guid, two.guid]);
      assert.ok(!guidsOf(updated.body).includes(three.guid));
    },
  },
  {
    item: 3,
    title: 'pagination: per_page=2 over 3 tasks, links, full objects without command',
    async run() {
      const p = await isolatedProject();
      const [one, two] = await threeTasks(p.agent.id, p.creator);
      const res = await req('GET', '/v3/tasks?per_page=2', p.creator);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.pagination, {
        total_results: 3,
        total_pages: 2,
        first: { href: `${t.url}/v3/tasks?page=1&per_page=2` },
        last: { href: `${t.url}/v3/tasks?page=2&per_page=2` },
        next: { href: `${t.url}/v3/tasks?page=2&per_page=2` },
        previous: null,
      });
      const asStored = (task: Record<string, unknown>, second: number) => ({
        ...withoutCommand(task),
        created_at: `2020-05-26T18:47:0${second}Z`,
        updated_at: `2020-05-26T18:48:0${second}Z`,
      });
      assert.deepEqual(res.body.resources, [asStored(one, 1), asStored(two, 2)]);
      assert.deepEqual(
        Object.keys(res.body.resources[0]),
        TASK_KEYS.filter((k) => k !== 'command'),
      );
      const [first, second] = res.body.resources;
      assert.deepEqual([first.name, first.user, first.state, first.memory_in_mb, first.disk_in_mb, first.log_rate_limit_in_bytes_per_second], ['task one', 'TestUser', 'PENDING', 5, 10, 20]);
      assert.deepEqual([second.name, second.user, second.memory_in_mb, second.disk_in_mb, second.log_rate_limit_in_bytes_per_second], ['task two', null, 100, 500, 1024]);
      assert.deepEqual(first.result, { failure_reason: null });
      assert.deepEqual(first.metadata, { labels: {}, annotations: {} });
      assert.deepEqual(Object.keys(first.links), ['self', 'agent', 'cancel']);
      assert.equal(first.links.cancel.method, 'POST');
      assert.match(first.created_at, V3_TIME);
    },
  },
  {
    item: 4,
    title: 'permissions: every reader gets 200 without command; another project sees none of them',
    async run() {
      const agent = await freshAgent();
      const tasks = await threeTasks(agent.id, w.creator);
      const expected = tasks.map((task) => task.guid);
      for (const token of [ADMIN_TOKEN, w.admin, w.creator, w.observer, agent.token]) {
        const res = await req('GET', `/v3/tasks?agent_guids=${agent.id}`, token);
        assert.equal(res.status, 200);
        assert.deepEqual(guidsOf(res.body), expected);
        for (const resource of res.body.resources) assert.equal('command' in resource, false);
        assert.match(res.body.pagination.first.href, /page=\d+&per_page=\d+/);
      }
      const stranger = await req('GET', `/v3/tasks?agent_guids=${agent.id}`, w.stranger);
      assert.equal(stranger.status, 200);
      assert.deepEqual(stranger.body.resources, []);
      const otherAgent = await req('GET', `/v3/tasks?agent_guids=${agent.id}`, w.agent.token);
      assert.deepEqual(otherAgent.body.resources, [], "an agent sees only its own agent's tasks");
    },
  },
  {
    item: 5,
    title: 'filtering: agent_guids, names, states and label_selector together; links keep every filter, sorted',
    async run() {
      const agent = await freshAgent();
      const one = await createTask(t, agent.id, w.creator, { name: 'task one', metadata: { labels: { boomerang: 'gel' } } });
      await createTask(t, agent.id, w.creator, { name: 'task two', metadata: { labels: { boomerang: 'gunnison' } } }).then((two) => reportState(t, { ...w, agent } as World, two.guid, 'RUNNING'));
      await createTask(t, agent.id, w.creator, { name: 'task three' });
      await reportState(t, { ...w, agent } as World, one.guid, 'SUCCEEDED');
      const res = await req('GET', `/v3/tasks?agent_guids=${agent.id}&names=task+one&states=SUCCEEDED&label_selector=boomerang`, w.creator);
      assert.deepEqual(guidsOf(res.body), [one.guid]);
      const href = `${t.url}/v3/tasks?agent_guids=${agent.id}&label_selector=boomerang&names=task+one&page=1&per_page=50&states=SUCCEEDED`;
      assert.deepEqual(res.body.pagination, { total_results: 1, total_pages: 1, first: { href }, last: { href }, next: null, previous: null });
    },
  },
  {
    item: 6,
    title: 'label_selector=boomerang=gel: one result, the selector escaped in the links',
    async run() {
      const p = await isolatedProject();
      const one = await createTask(t, p.agent.id, p.creator, { metadata: { labels: { boomerang: 'gel' } } });
      await createTask(t, p.agent.id, p.creator, { metadata: { labels: { boomerang: 'gunnison' } } });
      const res = await req('GET', '/v3/tasks?label_selector=boomerang=gel', p.creator);
      assert.deepEqual(guidsOf(res.body), [one.guid]);
      const href = `${t.url}/v3/tasks?label_selector=boomerang%3Dgel&page=1&per_page=50`;
      assert.deepEqual(res.body.pagination, { total_results: 1, total_pages: 1, first: { href }, last: { href }, next: null, previous: null });
    },
  },
  {
    item: 7,
    title: 'per_page=meow → 400 CF-BadQueryParameter',
    async run() {
      const res = await req('GET', '/v3/tasks?per_page=meow', w.creator);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, badQuery('Per page must be a positive integer'));
    },
  },
  {
    item: 8,
    title: 'unknown parameters → 400 naming both, with the valid list',
    async run() {
      const res = await req('GET', '/v3/tasks?meow=bad-val&nyan=mow', w.creator);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, badQuery(`Unknown query parameter(s): 'meow', 'nyan'. Valid parameters are: ${VALID_PARAMETERS}`));
      const sequenceIds = await req('GET', '/v3/tasks?sequence_ids=1', w.creator);
      assert.deepEqual(sequenceIds.body, badQuery("Unknown query parameter(s): 'sequence_ids'"));
    },
  },
  {
    item: 9,
    title: 'a global reader sees tasks across agents and projects',
    async run() {
      const p = await isolatedProject();
      const foreign = await createTask(t, p.agent.id, p.creator);
      const local = await createTask(t, w.agent.id, w.creator);
      const res = await req('GET', `/v3/tasks?guids=${foreign.guid},${local.guid}`, ADMIN_TOKEN);
      assert.deepEqual(guidsOf(res.body), [foreign.guid, local.guid]);
      const scoped = await req('GET', `/v3/tasks?guids=${foreign.guid},${local.guid}`, w.admin);
      assert.deepEqual(guidsOf(scoped.body), [local.guid], 'a project admin is not a global reader');
    },
  },
  // §7.2 GET /v3/tasks/:guid
  {
    item: 10,
    title: 'GET a task: writers and its agent see command, observers do not, others get 404',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator, { name: 'task', memory_in_mb: 5, disk_in_mb: 50, log_rate_limit_in_bytes_per_second: 64 });
      for (const token of [ADMIN_TOKEN, w.admin, w.creator, w.agent.token]) {
        const res = await req('GET', `/v3/tasks/${task.guid}`, token);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, task);
        assert.equal(res.body.command, 'echo task');
      }
      const observer = await req('GET', `/v3/tasks/${task.guid}`, w.observer);
      assert.equal(observer.status, 200);
      assert.deepEqual(observer.body, withoutCommand(task));
      for (const token of [w.stranger, w.otherAgent.token]) assert.deepEqual((await req('GET', `/v3/tasks/${task.guid}`, token)).body, TASK_NOT_FOUND);
    },
  },
  {
    item: 11,
    title: 'unknown guid → 404 CF-ResourceNotFound "Task not found"',
    async run() {
      const res = await req('GET', '/v3/tasks/not-a-task', w.admin);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body, TASK_NOT_FOUND);
    },
  },
  {
    item: 12,
    title: 'no read or write scope (a token without any Coffer role) → 403 before anything else',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const token = await roleLessToken(t, PROJECT);
      assert.deepEqual((await req('GET', `/v3/tasks/${task.guid}`, token)).body, NOT_AUTHORIZED);
      assert.deepEqual((await req('GET', '/v3/tasks/not-a-task', token)).body, NOT_AUTHORIZED);
      assert.deepEqual((await req('GET', '/v3/tasks?meow=1', token)).body, NOT_AUTHORIZED);
      assert.deepEqual((await req('PATCH', `/v3/tasks/${task.guid}`, token, { raw: '{' })).body, NOT_AUTHORIZED, 'scope before parse');
      assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, token, { body: { command: 'x' } })).body, NOT_AUTHORIZED);
    },
  },
  {
    item: 13,
    title: 'read but not write (observer) → 200',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      assert.equal((await req('GET', `/v3/tasks/${task.guid}`, w.observer)).status, 200);
    },
  },
  // §7.3 PUT /v3/tasks/:guid/cancel
  {
    item: 14,
    title: 'PUT …/cancel (deprecated) → 202 CANCELING with command; the agent is told by a task_cancel_request event',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator, { name: 'task' });
      const res = await req('PUT', `/v3/tasks/${task.guid}/cancel`, w.creator);
      assert.equal(res.status, 202);
      assert.deepEqual([res.body.guid, res.body.name, res.body.command, res.body.state], [task.guid, 'task', 'echo task', 'CANCELING']);
      assert.deepEqual(res.body.result, { failure_reason: null });
      const events = await eventsOf(t, task.guid);
      assert.deepEqual(events.at(-1), { name: 'task_cancel_request', agentId: w.agent.id, projectId: PROJECT, body: { agent: { id: w.agent.id }, task: { guid: task.guid } } });
    },
  },
  // §7.4 PATCH /v3/tasks/:guid
  {
    item: 15,
    title: 'PATCH metadata happy path → 200 full object with command',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator, { memory_in_mb: 5, disk_in_mb: 50, log_rate_limit_in_bytes_per_second: 10 });
      const res = await req('PATCH', `/v3/tasks/${task.guid}`, w.admin, { body: { metadata: { labels: { potato: 'yam' }, annotations: { potato: 'idaho' } } } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ...task, metadata: { labels: { potato: 'yam' }, annotations: { potato: 'idaho' } } });
    },
  },
  {
    item: 16,
    title: 'PATCH permissions: admin and creator 200; another project 404; observer and the agent 403',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const body = { body: { metadata: { labels: { k: 'v' } } } };
      for (const token of [ADMIN_TOKEN, w.admin, w.creator]) assert.equal((await req('PATCH', `/v3/tasks/${task.guid}`, token, body)).status, 200);
      assert.deepEqual((await req('PATCH', `/v3/tasks/${task.guid}`, w.stranger, body)).body, TASK_NOT_FOUND);
      for (const token of [w.observer, w.agent.token]) {
        const res = await req('PATCH', `/v3/tasks/${task.guid}`, token, body);
        assert.equal(res.status, 403);
        assert.deepEqual(res.body, NOT_AUTHORIZED);
      }
    },
  },
  {
    item: 18,
    title: 'PATCH {name} → 422 Unknown field(s)',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const res = await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { name: 'scuppers' } });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, unprocessable("Unknown field(s): 'name'"));
    },
  },
  {
    item: 19,
    title: 'PATCH label cloudfoundry.org/release → 422 label key error',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const res = await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { metadata: { labels: { 'cloudfoundry.org/release': 'stable' } } } });
      assert.deepEqual(res.body, unprocessable("Metadata label key error: prefix 'cloudfoundry.org' is reserved"));
    },
  },
  {
    item: 20,
    title: "PATCH annotation key '' → 422 annotation key error",
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const res = await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { metadata: { annotations: { '': 'mashed' } } } });
      assert.deepEqual(res.body, unprocessable('Metadata annotation key error: key cannot be empty string'));
    },
  },
  {
    item: 21,
    title: 'merge and delete semantics (§3.5, both cases)',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator, { metadata: { labels: { potato: 'yam', style: 'baked' }, annotations: { potato: 'idaho', style: 'french' } } });
      const first = await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { metadata: { labels: { style: 'casserole' }, annotations: { potato: 'russet' } } } });
      assert.deepEqual(first.body.metadata, { labels: { potato: 'yam', style: 'casserole' }, annotations: { potato: 'russet', style: 'french' } });
      const task2 = await createTask(t, w.agent.id, w.creator, { metadata: { labels: { potato: 'yam', style: 'baked' }, annotations: { potato: 'idaho', style: 'french' } } });
      const second = await req('PATCH', `/v3/tasks/${task2.guid}`, w.creator, { body: { metadata: { labels: { style: null }, annotations: { potato: null } } } });
      assert.deepEqual(second.body.metadata, { labels: { potato: 'yam' }, annotations: { style: 'french' } });
    },
  },
  {
    item: 22,
    title: 'PATCH: cannot read → 404, read but not write → 403; order token, scope, parse, body, lookup, role',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      assert.equal((await req('PATCH', `/v3/tasks/${task.guid}`, w.stranger, { body: {} })).status, 404);
      assert.deepEqual((await req('PATCH', `/v3/tasks/${task.guid}`, w.observer, { body: {} })).body, NOT_AUTHORIZED);
      assert.equal((await req('PATCH', `/v3/tasks/${task.guid}`, null, { raw: '{' })).status, 401, 'token first');
      const parse = await req('PATCH', '/v3/tasks/not-a-task', w.observer, { raw: '{' });
      assert.deepEqual(parse.body, { errors: [{ detail: 'Request invalid due to parse error: invalid request body', title: 'CF-MessageParseError', code: 1001 }] });
      assert.deepEqual((await req('PATCH', '/v3/tasks/not-a-task', w.observer, { body: { name: 'x' } })).body, unprocessable("Unknown field(s): 'name'"), 'body before lookup');
      assert.deepEqual((await req('PATCH', '/v3/tasks/not-a-task', w.observer, { body: {} })).body, TASK_NOT_FOUND, 'lookup before role');
    },
  },
  // §7.5 POST /v3/tasks/:guid/actions/cancel
  {
    item: 23,
    title: 'cancel permissions: writers 202 with the full object; another project 404; observer and agent 403',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      for (const token of [ADMIN_TOKEN, w.admin, w.creator]) {
        const res = await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, token);
        assert.equal(res.status, 202);
        assert.deepEqual({ ...res.body, updated_at: task.updated_at }, { ...task, state: 'CANCELING' });
      }
      assert.deepEqual((await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, w.stranger)).body, TASK_NOT_FOUND);
      for (const token of [w.observer, w.agent.token]) assert.deepEqual((await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, token)).body, NOT_AUTHORIZED);
    },
  },
  {
    item: 25,
    title: 'cancel an unknown task → 404',
    async run() {
      assert.deepEqual((await req('POST', '/v3/tasks/not-a-task/actions/cancel', w.creator)).body, TASK_NOT_FOUND);
    },
  },
  {
    item: 26,
    title: 'cancel a finished task → 422 with CF text',
    async run() {
      const succeeded = await createTask(t, w.agent.id, w.creator);
      await reportState(t, w, succeeded.guid, 'SUCCEEDED');
      const failed = await createTask(t, w.agent.id, w.creator);
      await reportState(t, w, failed.guid, 'FAILED', 'boom');
      assert.deepEqual((await req('POST', `/v3/tasks/${succeeded.guid}/actions/cancel`, w.creator)).body, unprocessable('Task state is SUCCEEDED and therefore cannot be canceled'));
      assert.deepEqual((await req('POST', `/v3/tasks/${failed.guid}/actions/cancel`, w.creator)).body, unprocessable('Task state is FAILED and therefore cannot be canceled'));
    },
  },
  {
    item: 27,
    title: 'cancel: read but no write → 403',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const res = await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, w.observer);
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, NOT_AUTHORIZED);
    },
  },
  // §7.6 GET /v3/agents/:guid/tasks
  {
    item: 28,
    title: 'agent list pagination: per_page=2 over 3 tasks, links on the nested path, command for the writer',
    async run() {
      const agent = await freshAgent();
      const [one, two] = await threeTasks(agent.id, w.creator);
      const res = await req('GET', `/v3/agents/${agent.id}/tasks?per_page=2`, w.creator);
      const base = `${t.url}/v3/agents/${agent.id}/tasks`;
      assert.deepEqual(res.body.pagination, {
        total_results: 3,
        total_pages: 2,
        first: { href: `${base}?page=1&per_page=2` },
        last: { href: `${base}?page=2&per_page=2` },
        next: { href: `${base}?page=2&per_page=2` },
        previous: null,
      });
      assert.deepEqual(guidsOf(res.body), [one.guid, two.guid]);
      assert.deepEqual(
        res.body.resources.map((r: { command: string; memory_in_mb: number }) => [r.command, r.memory_in_mb]),
        [
          ['echo task', 5],
          ['echo task', 100],
        ],
      );
      const second = await req('GET', `/v3/agents/${agent.id}/tasks?per_page=2&page=2`, w.creator);
      assert.equal(second.body.pagination.previous.href, `${base}?page=1&per_page=2`);
      assert.equal(second.body.pagination.next, null);
    },
  },
  {
    item: 29,
    title: 'agent list permissions: writers and the agent with command, observer without, others 404',
    async run() {
      const agent = await freshAgent();
      await createTask(t, agent.id, w.creator);
      for (const token of [ADMIN_TOKEN, w.admin, w.creator, agent.token]) {
        const res = await req('GET', `/v3/agents/${agent.id}/tasks`, token);
        assert.equal(res.status, 200);
        assert.equal(res.body.resources[0].command, 'echo task');
      }
      const observer = await req('GET', `/v3/agents/${agent.id}/tasks`, w.observer);
      assert.equal(observer.status, 200);
      assert.equal('command' in observer.body.resources[0], false);
      for (const token of [w.stranger, w.agent.token]) assert.deepEqual((await req('GET', `/v3/agents/${agent.id}/tasks`, token)).body, AGENT_NOT_FOUND);
    },
  },
  {
    item: 30,
    title: 'an observer gets resources[0] without a command key',
    async run() {
      await createTask(t, w.agent.id, w.creator);
      const res = await req('GET', `/v3/agents/${w.agent.id}/tasks`, w.observer);
      assert.deepEqual(
        Object.keys(res.body.resources[0]),
        TASK_KEYS.filter((k) => k !== 'command'),
      );
    },
  },
  {
    item: 31,
    title: 'agent list filtered by names=task+one',
    async run() {
      const agent = await freshAgent();
      const [one] = await threeTasks(agent.id, w.creator);
      const res = await req('GET', `/v3/agents/${agent.id}/tasks?names=task+one`, w.creator);
      assert.deepEqual(guidsOf(res.body), [one.guid]);
      assert.equal(res.body.pagination.first.href, `${t.url}/v3/agents/${agent.id}/tasks?names=task+one&page=1&per_page=50`);
    },
  },
  {
    item: 32,
    title: 'agent list filtered by states=SUCCEEDED',
    async run() {
      const agent = await freshAgent();
      const as = { ...w, agent } as World;
      const succeeded = await createTask(t, agent.id, w.creator);
      const failed = await createTask(t, agent.id, w.creator);
      await reportState(t, as, succeeded.guid, 'SUCCEEDED');
      await reportState(t, as, failed.guid, 'FAILED', 'no');
      const res = await req('GET', `/v3/agents/${agent.id}/tasks?states=SUCCEEDED`, w.creator);
      assert.deepEqual(guidsOf(res.body), [succeeded.guid]);
      assert.equal(res.body.pagination.first.href, `${t.url}/v3/agents/${agent.id}/tasks?page=1&per_page=50&states=SUCCEEDED`);
    },
  },
  {
    item: 33,
    title: 'agent list filtered by sequence_ids',
    async run() {
      const agent = await freshAgent();
      const [, two] = await threeTasks(agent.id, w.creator);
      const res = await req('GET', `/v3/agents/${agent.id}/tasks?sequence_ids=${two.sequence_id}`, w.creator);
      assert.deepEqual(guidsOf(res.body), [two.guid]);
      assert.equal(res.body.pagination.first.href, `${t.url}/v3/agents/${agent.id}/tasks?page=1&per_page=50&sequence_ids=${two.sequence_id}`);
      const nonsense = await req('GET', `/v3/agents/${agent.id}/tasks?sequence_ids=two`, w.creator);
      assert.deepEqual(nonsense.body.resources, []);
    },
  },
  {
    item: 34,
    title: 'agent list common filters: guids, created_ats[lt], updated_ats[lt]',
    async run() {
      const agent = await freshAgent();
      const [one, two] = await threeTasks(agent.id, w.creator);
      const base = `/v3/agents/${agent.id}/tasks`;
      assert.deepEqual(guidsOf((await req('GET', `${base}?guids=${one.guid},${two.guid},nope`, w.creator)).body), [one.guid, two.guid]);
      assert.deepEqual(guidsOf((await req('GET', `${base}?created_ats[lt]=2020-05-26T18:47:03Z`, w.creator)).body), [one.guid, two.guid]);
      assert.deepEqual(guidsOf((await req('GET', `${base}?updated_ats[lt]=2020-05-26T18:48:03Z`, w.creator)).body), [one.guid, two.guid]);
    },
  },
  {
    item: 35,
    title: 'agent list accepts every nested parameter at once',
    async run() {
      const query =
        'page=2&per_page=10&order_by=updated_at&guids=foo,bar&names=foo,bar&states=foo,bar&sequence_ids=1,2&label_selector=foo,bar&created_ats=2020-06-30T12:34:56Z&updated_ats[gt]=2020-06-30T12:34:56Z';
      const res = await req('GET', `/v3/agents/${w.agent.id}/tasks?${query}`, w.creator);
      assert.equal(res.status, 200, res.text);
    },
  },
  {
    item: 36,
    title: 'agent list: agent_guids is refused on its own; space/organization/app guids are unknown here',
    async run() {
      const res = await req('GET', `/v3/agents/${w.agent.id}/tasks?agent_guids=${w.agent.id}`, w.creator);
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, badQuery("Unknown query parameter(s): 'agent_guids'"));
      const cf = await req('GET', '/v3/agents/not-an-agent/tasks?space_guids=a&organization_guids=b&app_guids=c', w.creator);
      assert.deepEqual(
        cf.body,
        badQuery(`Unknown query parameter(s): 'space_guids', 'organization_guids', 'app_guids'. Valid parameters are: ${VALID_PARAMETERS}`),
        'the query is checked before the agent',
      );
    },
  },
  {
    item: 37,
    title: 'agent list: unknown agent, or one the caller cannot see → 404',
    async run() {
      assert.deepEqual((await req('GET', '/v3/agents/not-an-agent/tasks', w.creator)).body, AGENT_NOT_FOUND);
      assert.deepEqual((await req('GET', `/v3/agents/${w.agent.id}/tasks`, w.stranger)).body, AGENT_NOT_FOUND);
    },
  },
  // §7.7 POST /v3/agents/:guid/tasks
  {
    item: 38,
    title: 'create with every field → 202, PENDING, values and metadata echoed; task_start_request recorded',
    async run() {
      const body = {
        name: 'best task ever',
        command: 'be rake && true',
        user: 'TestUser',
        memory_in_mb: 1234,
        disk_in_mb: 1000,
        log_rate_limit_in_bytes_per_second: -1,
        metadata: { labels: { bananas: 'gros_michel' }, annotations: { wombats: 'althea' } },
      };
      const res = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body });
      assert.equal(res.status, 202);
      const { metadata, ...fields } = body;
      for (const [key, value] of Object.entries(fields)) assert.deepEqual(res.body[key], value, key);
      assert.deepEqual(res.body.metadata, metadata);
      assert.equal(res.body.state, 'PENDING');
      assert.equal(res.body.droplet_guid, null);
      const events = await eventsOf(t, res.body.guid);
      assert.deepEqual(
        events.map((e) => e.name),
        ['task_start_request'],
      );
      assert.equal(itemAt(events, 0).body.task.command, 'be rake && true', 'the agent needs the command to run it');
    },
  },
  {
    item: 39,
    title: 'default log rate when omitted: 1048576 (and memory and disk 1024)',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      assert.deepEqual([task.memory_in_mb, task.disk_in_mb, task.log_rate_limit_in_bytes_per_second], [1024, 1024, 1048576]);
      const stored = await t.server.ctx.store.db.selectFrom('tasks').select('log_rate_limit').where('id', '=', task.guid).executeTakeFirstOrThrow();
      assert.equal(Number(stored.log_rate_limit), 1048576);
    },
  },
  {
    item: 44,
    title: 'a specific droplet (a restorable backup of the agent) → 202; droplet_guid and links.droplet point to it',
    async run() {
      const backup = await insertBackup(t, PROJECT, w.agent, { state: 'completed_with_errors' });
      const task = await createTask(t, w.agent.id, w.creator, { droplet_guid: backup });
      assert.equal(task.droplet_guid, backup);
      assert.deepEqual(task.links.droplet, { href: `${t.url}/v2/${PROJECT}/backups/${backup}` });
    },
  },
  {
    item: 47,
    title: 'create permissions: writers 202; another project 404; observer and the agent 403',
    async run() {
      for (const token of [ADMIN_TOKEN, w.admin, w.creator]) assert.equal((await req('POST', `/v3/agents/${w.agent.id}/tasks`, token, { body: { command: 'x' } })).status, 202);
      assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.stranger, { body: { command: 'x' } })).body, AGENT_NOT_FOUND);
      for (const token of [w.observer, w.agent.token]) assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, token, { body: { command: 'x' } })).body, NOT_AUTHORIZED);
    },
  },
  {
    item: 49,
    title: 'create: reserved label prefix and bad annotation keys → 422 key errors',
    async run() {
      const labels = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', metadata: { labels: { 'cloudfoundry.org/release': 'stable' } } } });
      assert.deepEqual(labels.body, unprocessable("Metadata label key error: prefix 'cloudfoundry.org' is reserved"));
      const annotations = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', metadata: { annotations: { '': 'mashed', '/potato': 'fried' } } } });
      assert.deepEqual(annotations.body, unprocessable("Metadata annotation key error: key cannot be empty string, Metadata annotation key error: prefix '' must be in valid dns format"));
    },
  },
  {
    item: 50,
    title: 'create over the limits (200 annotations, 50 labels) → CF-AnnotationLimitExceeded / CF-LabelLimitExceeded',
    async run() {
      const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
      const annotations = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', metadata: { annotations: many(201) } } });
      assert.equal(annotations.status, 422);
      assert.deepEqual(annotations.body, { errors: [{ detail: 'Failed to add 201 annotations because it would exceed maximum of 200', title: 'CF-AnnotationLimitExceeded', code: 390023 }] });
      const labels = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', metadata: { labels: many(51) } } });
      assert.deepEqual(labels.body, { errors: [{ detail: 'Failed to add 51 labels because it would exceed maximum of 50', title: 'CF-LabelLimitExceeded', code: 390020 }] });
      assert.equal((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', metadata: { labels: many(50), annotations: many(200) } } })).status, 202);
    },
  },
  {
    item: 51,
    title: "create with an extra field → 422 Unknown field(s): 'invalid'",
    async run() {
      assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', invalid: 'field' } })).body, unprocessable("Unknown field(s): 'invalid'"));
    },
  },
  {
    item: 52,
    title: 'command longer than 4096 characters → 422',
    async run() {
      assert.equal((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'é'.repeat(4096) } })).status, 202);
      const res = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'é'.repeat(4097) } });
      assert.deepEqual(res.body, unprocessable('command must be shorter than 4097 characters'));
    },
  },
  {
    item: 53,
    title: 'empty body → 422 CF-UnprocessableEntity',
    async run() {
      const res = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { raw: '', contentType: 'application/json' });
      assert.equal(res.status, 422);
      assert.deepEqual(res.body, unprocessable('Command No command or template provided'));
    },
  },
  {
    item: 55,
    title: "droplet_guid unknown or another agent's backup → 404 Droplet not found",
    async run() {
      const notFound = { errors: [{ detail: 'Droplet not found', title: 'CF-ResourceNotFound', code: 10010 }] };
      const other = await insertBackup(t, PROJECT, w.otherAgent);
      for (const guid of ['no-such-backup', other]) assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', droplet_guid: guid } })).body, notFound);
    },
  },
  {
    item: 56,
    title: 'memory and disk null → defaults; unknown agent 404; read but no write 403',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator, { memory_in_mb: null, disk_in_mb: null });
      assert.deepEqual([task.memory_in_mb, task.disk_in_mb], [1024, 1024]);
      assert.deepEqual((await req('POST', '/v3/agents/not-an-agent/tasks', w.creator, { body: { command: 'x' } })).body, AGENT_NOT_FOUND);
      assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.observer, { body: { command: 'x' } })).body, NOT_AUTHORIZED);
    },
  },
  // §7.8 validators (the exhaustive character and length tables are in tasks-metadata.test.ts)
  {
    item: 57,
    title: 'metadata validator through the API: invalid characters, start/end, 63/64, prefix lengths, reserved prefix',
    async run() {
      const task = await createTask(t, w.agent.id, w.creator);
      const patch = (labels: Record<string, string>) => req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { metadata: { labels } } });
      assert.deepEqual((await patch({ 'a#b': 'v' })).body, unprocessable("Metadata label key error: 'a#b' contains invalid characters"));
      assert.deepEqual((await patch({ k: '-a' })).body, unprocessable("Metadata label value error: '-a' starts or ends with invalid characters"));
      assert.equal((await patch({ ['a'.repeat(63)]: 'b'.repeat(63) })).status, 200);
      assert.deepEqual((await patch({ ['a'.repeat(64)]: 'v' })).body, unprocessable("Metadata label key error: 'aaaaaaaa...' is greater than 63 characters"));
      const label61 = 'a'.repeat(61);
      assert.equal((await patch({ [`${[label61, label61, label61, label61].join('.')}.com/k`]: 'v' })).status, 200);
      assert.deepEqual(
        (await patch({ [`${[label61, label61, label61, label61, label61].join('.')}/k`]: 'v' })).body,
        unprocessable("Metadata label key error: prefix 'aaaaaaaa...' is greater than 253 characters"),
      );
      assert.deepEqual((await patch({ 'CloudFoundry.org/key': 'v' })).body, unprocessable("Metadata label key error: prefix 'cloudfoundry.org' is reserved"));
    },
  },
  {
    item: 58,
    title: 'label_selector validator through the API: missing, too many, invalid, key and value rules',
    async run() {
      const check = async (selector: string, detail: string) =>
        assert.deepEqual((await req('GET', `/v3/tasks?label_selector=${encodeURIComponent(selector)}`, w.creator)).body, badQuery(detail), selector);
      await check('', 'Missing label_selector value');
      await check(Array.from({ length: 51 }, (_, i) => `k${i}`).join(','), 'Too many label_selector requirements (maximum is 50)');
      await check('foo = bar', 'Invalid label_selector value');
      await check('cloudfoundry.org/foo=bar', "prefix 'cloudfoundry.org' is reserved");
      await check('foo in (bar, baz)', "' baz' contains invalid characters");
    },
  },
  {
    item: 59,
    title: "'!fruit,env=prod,animal in (dog,horse)' is valid; a bare ?label_selector is missing",
    async run() {
      assert.equal((await req('GET', `/v3/tasks?label_selector=${encodeURIComponent('!fruit,env=prod,animal in (dog,horse)')}`, w.creator)).status, 200);
      assert.deepEqual((await req('GET', '/v3/tasks?label_selector', w.creator)).body, badQuery('Missing label_selector value'));
    },
  },
];

/** Checklist items with no counterpart in Coffer, and why. */
const NOT_APPLICABLE: Record<number, string> = {
  17: 'suspended organizations: Coffer projects cannot be suspended',
  24: 'suspended organizations: Coffer projects cannot be suspended',
  40: 'space and organization log-rate quotas: Coffer has no quotas',
  41: 'space and organization log-rate quotas: Coffer has no quotas',
  42: 'space log-rate quota: Coffer has no quotas',
  43: 'organization log-rate quota: Coffer has no quotas',
  45: 'template.process: Coffer has no processes; `template` is an unknown field',
  46: 'telemetry logging: optional in the reference and not part of Coffer',
  48: 'the task_creation feature flag: Coffer has no feature flags',
  54: 'an app without a droplet: a Coffer task needs no droplet (droplet_guid is optional and null when absent)',
};

describe('docs/reference/cf-v3-tasks.md §7 conformance checklist (adapted)', () => {
  it('every item 1–59 is either a case below or listed as not applicable, never both', () => {
    const covered = new Set(CASES.map((c) => c.item));
    assert.equal(covered.size, CASES.length, 'one case per item');
    for (let item = 1; item <= 59; item++) {
      const applicable = covered.has(item);
      const excused = Object.hasOwn(NOT_APPLICABLE, item);
      assert.ok(applicable !== excused, `item ${item}: ${applicable ? 'both tested and excused' : 'neither tested nor excused'}`);
    }
  });

  for (const c of CASES) it(`#${c.item} ${c.title}`, c.run);
});
