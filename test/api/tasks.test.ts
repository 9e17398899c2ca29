import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTaskSweeper, sweepTasks } from '../../src/resources/tasks/task-sweeper.js';
import { keepTail, MAX_KEPT_OUTPUT_BYTES } from '../../src/resources/tasks/task-output.action.js';
import { toWireTime } from '../../src/server/time.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, PROJECT, type World } from '../helpers/fixtures.js';
import { createTask, eventsOf, insertBackup, NOT_AUTHORIZED, report, reportState, setTaskTimes, TASK_KEYS, TASK_NOT_FOUND, unprocessable, v3, V3_TIME } from './tasks-helpers.js';
import { itemAt } from '../helpers/indexing.js';

let t: TestServer;
let w: World;
let req: ReturnType<typeof v3>;

/** Far beyond any test's duration, so the server's own sweeper never expires a task a test is looking at. */
const EXPIRY_SECONDS = 100 * 365 * 86400;

before(async () => {
  t = await startTestServer({ taskPendingExpirySeconds: EXPIRY_SECONDS });
  w = await buildWorld(t, { tasks: true });
  req = v3(t);
});
after(async () => t.close());

describe('tasks: create', () => {
  it('202 with the Task object of §1.1: PENDING, defaults, absolute links, timestamps to the second', async () => {
    const res = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'rake db:migrate' } });
    assert.equal(res.status, 202, res.text);
    const task = res.body;
    assert.deepEqual(Object.keys(task), TASK_KEYS);
    assert.match(task.guid, /^[0-9a-f-]{36}$/);
    assert.match(task.created_at, V3_TIME);
    assert.match(task.updated_at, V3_TIME);
    assert.match(task.name, /^[0-9a-f]{8}$/);
    assert.equal(task.command, 'rake db:migrate');
    assert.equal(task.user, null);
    assert.equal(task.state, 'PENDING');
    assert.equal(task.memory_in_mb, 1024);
    assert.equal(task.disk_in_mb, 1024);
    assert.equal(task.log_rate_limit_in_bytes_per_second, 1048576);
    assert.deepEqual(task.result, { failure_reason: null });
    assert.equal(task.droplet_guid, null);
    assert.deepEqual(task.relationships, { agent: { data: { guid: w.agent.id } } });
    assert.deepEqual(task.metadata, { labels: {}, annotations: {} });
    assert.deepEqual(task.links, {
      self: { href: `${t.url}/v3/tasks/${task.guid}` },
      agent: { href: `${t.url}/v2/${PROJECT}/agents/${w.agent.id}` },
      cancel: { href: `${t.url}/v3/tasks/${task.guid}/actions/cancel`, method: 'POST' },
    });
  });

  it('records a task_start_request event for the agent with everything it needs to run the command', async () => {
    const task = await createTask(t, w.agent.id, w.creator, { name: 'migrate', user: 'deploy', memory_in_mb: 512, disk_in_mb: 2048, log_rate_limit_in_bytes_per_second: -1 });
    const events = await eventsOf(t, task.guid);
    assert.deepEqual(events, [
      {
        name: 'task_start_request',
        agentId: w.agent.id,
        projectId: PROJECT,
        body: {
          agent: { id: w.agent.id },
          task: { guid: task.guid, name: 'migrate', command: 'echo task', user: 'deploy', memory_in_mb: 512, disk_in_mb: 2048, log_rate_limit_in_bytes_per_second: -1, droplet_guid: null },
        },
      },
    ]);
    const stream = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events`, { token: w.agent.token });
    assert.equal(stream.status, 200, stream.text);
    assert.match(JSON.stringify(stream.body), /task_start_request/);
  });

  it('20 concurrent creates on one agent get sequence ids 1..20 without gaps or repeats; another agent counts on its own', async () => {
    const fresh = await import('../helpers/fixtures.js').then((m) => m.registerAgent(t, w.admin, PROJECT, {}, { tasks: true }));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => req('POST', `/v3/agents/${fresh.id}/tasks`, w.creator, { body: { command: `job ${i}` } })));
    for (const res of results) assert.equal(res.status, 202, res.text);
    const ids = results.map((res) => res.body.sequence_id).sort((a, b) => a - b);
    assert.deepEqual(
      ids,
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const other = await createTask(t, w.otherAgent.id, w.creator);
    assert.ok(other.sequence_id >= 1);
    const next = await createTask(t, fresh.id, w.creator);
    assert.equal(next.sequence_id, 21);
  });

  it('sequence ids are never reused, even after the tasks are pruned', async () => {
    const fresh = await import('../helpers/fixtures.js').then((m) => m.registerAgent(t, w.admin, PROJECT, {}, { tasks: true }));
    const first = await createTask(t, fresh.id, w.creator);
    await t.server.ctx.store.db.deleteFrom('tasks').where('id', '=', first.guid).execute();
    const second = await createTask(t, fresh.id, w.creator);
    assert.equal(second.sequence_id, 2);
  });

  it('droplet_guid must name a restorable backup of the same agent (the backups resource decides restorable)', async () => {
    const backup = await insertBackup(t, PROJECT, w.agent);
    const withDroplet = await createTask(t, w.agent.id, w.creator, { droplet_guid: backup });
    assert.equal(withDroplet.droplet_guid, backup);
    assert.deepEqual(withDroplet.links.droplet, { href: `${t.url}/v2/${PROJECT}/backups/${backup}` });
    const event = itemAt(await eventsOf(t, withDroplet.guid), 0);
    assert.equal(event.body.task.droplet_guid, backup);

    const notFound = { errors: [{ detail: 'Droplet not found', title: 'CF-ResourceNotFound', code: 10010 }] };
    const refused = {
      "another agent's backup": await insertBackup(t, PROJECT, w.otherAgent),
      'a failed backup': await insertBackup(t, PROJECT, w.agent, { state: 'failed' }),
      'a backup without a snapshot': await insertBackup(t, PROJECT, w.agent, { snapshotId: null }),
      'a backup without a configuration': await insertBackup(t, PROJECT, w.agent, { retentionDays: null }),
      'a backup in a vault no agent holds': await insertBackup(t, PROJECT, w.agent, { vaultId: 'detached-vault' }),
      'a backup past retention': await insertBackup(t, PROJECT, w.agent, { retentionDays: 3, endedTime: new Date(Date.now() - 4 * 86400_000).toISOString() }),
      'no backup at all': 'no-such-backup',
    };
    for (const [what, guid] of Object.entries(refused)) {
      const res = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', droplet_guid: guid } });
      assert.equal(res.status, 404, what);
      assert.deepEqual(res.body, notFound, what);
    }
    const recent = await insertBackup(t, PROJECT, w.agent, { retentionDays: 3, endedTime: new Date(Date.now() - 2 * 86400_000).toISOString() });
    assert.equal((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'x', droplet_guid: recent } })).status, 202);
  });

  it('order of checks: body 422 before agent 404, agent 404 before role 403, droplet 404 after the role', async () => {
    const bad = { command: 'x', invalid: 1 };
    assert.deepEqual((await req('POST', '/v3/agents/no-such-agent/tasks', w.observer, { body: bad })).body, unprocessable("Unknown field(s): 'invalid'"));
    assert.equal((await req('POST', '/v3/agents/no-such-agent/tasks', w.observer, { body: { command: 'x' } })).status, 404);
    assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.observer, { body: { command: 'x', droplet_guid: 'nope' } })).body, NOT_AUTHORIZED);
    assert.equal((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.stranger, { body: { command: 'x' } })).status, 404);
    assert.deepEqual((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.agent.token, { body: { command: 'x' } })).body, NOT_AUTHORIZED);
    assert.equal((await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { raw: '{"command": ' })).status, 400);
  });

  it('validation texts of the create message and the model', async () => {
    const cases: [unknown, string][] = [
      [{}, 'Command No command or template provided'],
      [{ command: 5 }, 'Command must be a string'],
      [{ command: 'x', name: 7 }, 'Name must be a string'],
      [{ command: 'x', user: '' }, 'User must be between 1 and 255 characters'],
      [{ command: 'x', user: 'u'.repeat(256) }, 'User must be between 1 and 255 characters'],
      [{ command: 'x', user: 3 }, 'User must be a string'],
      [{ command: 'x', memory_in_mb: 'lots' }, 'Memory in mb is not a number'],
      [{ command: 'x', memory_in_mb: 1.5 }, 'Memory in mb must be an integer'],
      [{ command: 'x', memory_in_mb: 0 }, 'Memory in mb must be greater than 0'],
      [{ command: 'x', disk_in_mb: -5 }, 'Disk in mb must be greater than 0'],
      [{ command: 'x', log_rate_limit_in_bytes_per_second: -2 }, 'Log rate limit in bytes per second must be greater than -2'],
      [{ command: 'x', log_rate_limit_per_second: 5 }, "Unknown field(s): 'log_rate_limit_per_second'"],
      [{ command: 'x', droplet_guid: 5 }, 'Droplet guid must be a string'],
      [{ command: 'x', droplet_guid: '' }, 'Droplet guid must be between 1 and 200 characters'],
      [{ command: 'x', template: { process: { guid: 'p' } } }, "Unknown field(s): 'template'"],
      [{ command: 'x', disk_in_mb: 2049 }, 'Cannot request disk_in_mb greater than 2048'],
      [{ command: 'x'.repeat(4097) }, 'command must be shorter than 4097 characters'],
      [{ command: '   ' }, 'command is not present'],
      [{ command: 'x', name: '' }, 'name is invalid'],
      [{ command: 'x', name: 'bad\u0007name' }, 'name is invalid'],
      [{ command: 5, memory_in_mb: 0, extra: 1 }, "Unknown field(s): 'extra', Command must be a string, Memory in mb must be greater than 0"],
      [{ command: 'x', memory_in_mb: 1e19 }, 'Memory in mb must be less than or equal to 9223372036854775807'],
      [{ command: 'x', log_rate_limit_in_bytes_per_second: 2 ** 63 }, 'Log rate limit in bytes per second must be less than or equal to 9223372036854775807'],
    ];
    for (const [body, detail] of cases) {
      const res = await req('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body });
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.deepEqual(res.body, unprocessable(detail), JSON.stringify(body));
    }
    const ok = await createTask(t, w.agent.id, w.creator, { name: 'naïve task №1', memory_in_mb: null, disk_in_mb: null, user: null });
    assert.equal(ok.memory_in_mb, 1024);
    assert.equal(ok.disk_in_mb, 1024);
    assert.equal(ok.name, 'naïve task №1');
  });
});

describe('tasks: the agent reports state (application/json-patch+json)', () => {
  it('PENDING → RUNNING → SUCCEEDED with task_running and task_succeeded events; updated_at moves; 200 with the task', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    await setTaskTimes(t, task.guid, { updated_at: '2020-01-01T00:00:00.000000Z' });
    const running = await reportState(t, w, task.guid, 'RUNNING');
    assert.equal(running.state, 'RUNNING');
    assert.equal(running.command, 'echo task');
    assert.notEqual(running.updated_at, '2020-01-01T00:00:00Z');
    const again = await reportState(t, w, task.guid, 'RUNNING');
    assert.equal(again.state, 'RUNNING');
    const done = await reportState(t, w, task.guid, 'SUCCEEDED');
    assert.equal(done.state, 'SUCCEEDED');
    assert.deepEqual(done.result, { failure_reason: null });
    const names = (await eventsOf(t, task.guid)).map((e) => e.name);
    assert.deepEqual(names, ['task_start_request', 'task_running', 'task_succeeded']);
  });

  it('FAILED with failure_reason; the event carries the reason; terminal tasks refuse any change with 422', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const failed = await reportState(t, w, task.guid, 'FAILED', 'exit status 3');
    assert.deepEqual(failed.result, { failure_reason: 'exit status 3' });
    const events = await eventsOf(t, task.guid);
    assert.deepEqual(events.at(-1), {
      name: 'task_failed',
      agentId: w.agent.id,
      projectId: PROJECT,
      body: { agent: { id: w.agent.id }, task: { guid: task.guid, state: 'FAILED', failure_reason: 'exit status 3' } },
    });
    // the same report again is fine and changes nothing
    assert.equal(
      (
        await report(t, task.guid, w.agent.token, [
          { op: 'replace', path: '/state', value: 'FAILED' },
          { op: 'replace', path: '/result/failure_reason', value: 'exit status 3' },
        ])
      ).status,
      200,
    );
    const res = await report(t, task.guid, w.agent.token, [{ op: 'replace', path: '/state', value: 'RUNNING' }]);
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].title, 'CF-UnprocessableEntity');
    assert.equal((await report(t, task.guid, w.agent.token, [{ op: 'replace', path: '/result/failure_reason', value: 'other' }])).status, 422);
    assert.equal((await eventsOf(t, task.guid)).length, events.length);
  });

  it('RUNNING cannot go back to PENDING-like states; failure_reason only with FAILED; bad documents are 422', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const cases: [unknown, RegExp][] = [
      [[{ op: 'replace', path: '/state', value: 'PENDING' }], /must be one of RUNNING, SUCCEEDED, FAILED/],
      [[{ op: 'replace', path: '/state', value: 'CANCELING' }], /must be one of RUNNING, SUCCEEDED, FAILED/],
      [[{ op: 'replace', path: '/name', value: 'x' }], /path "\/name" cannot be changed/],
      [[{ op: 'remove', path: '/state' }], /op "remove" is not allowed/],
      [
        [
          { op: 'replace', path: '/state', value: 'RUNNING' },
          { op: 'test', path: '/state', value: 'RUNNING' },
        ],
        /a test of path "\/state" cannot follow a change/,
      ],
      [[{ op: 'replace', path: '/result/failure_reason', value: 'why' }], /only be reported with the state FAILED/],
      [[{ op: 'replace', path: '/result/failure_reason', value: 5 }], /must be a string or null/],
      [{ op: 'replace' }, /./],
    ];
    for (const [body, pattern] of cases) {
      const res = await report(t, task.guid, w.agent.token, body);
      assert.equal(res.status, 422, JSON.stringify(body) + res.text);
      assert.match(res.body.errors[0].detail, pattern);
    }
  });

  it('RFC 6902 test operations: a failed test is 409 and changes nothing; a passing one applies', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const failed = await report(t, task.guid, w.agent.token, [
      { op: 'test', path: '/state', value: 'RUNNING' },
      { op: 'replace', path: '/state', value: 'SUCCEEDED' },
    ]);
    assert.equal(failed.status, 409, failed.text);
    assert.equal((await req('GET', `/v3/tasks/${task.guid}`, w.creator)).body.state, 'PENDING');
    const passed = await report(t, task.guid, w.agent.token, [
      { op: 'test', path: '/state', value: 'PENDING' },
      { op: 'replace', path: '/state', value: 'RUNNING' },
    ]);
    assert.equal(passed.status, 200);
    assert.equal(passed.body.state, 'RUNNING');
  });

  it('only the task’s agent reports: users 403, another agent 404, order parse → body → lookup → actor', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const ops = [{ op: 'replace', path: '/state', value: 'RUNNING' }];
    assert.deepEqual((await report(t, task.guid, w.creator, ops)).body, NOT_AUTHORIZED);
    assert.deepEqual((await report(t, task.guid, w.admin, ops)).body, NOT_AUTHORIZED);
    assert.deepEqual((await report(t, task.guid, w.otherAgent.token, ops)).body, TASK_NOT_FOUND);
    assert.equal((await report(t, 'no-such-task', w.agent.token, [{ op: 'replace', path: '/state', value: 'DONE' }])).status, 422);
    assert.deepEqual((await report(t, 'no-such-task', w.agent.token, ops)).body, TASK_NOT_FOUND);
    const parse = await req('PATCH', `/v3/tasks/${task.guid}`, w.agent.token, { raw: '[{', contentType: 'application/json-patch+json' });
    assert.equal(parse.status, 400);
  });
});

describe('tasks: cancel', () => {
  it('PENDING → CANCELING with a task_cancel_request event; repeating is idempotent; the agent confirms FAILED', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const res = await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, w.creator);
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.state, 'CANCELING');
    assert.equal(res.body.command, 'echo task');
    const again = await req('PUT', `/v3/tasks/${task.guid}/cancel`, w.admin);
    assert.equal(again.status, 202);
    assert.equal(again.body.state, 'CANCELING');
    const cancelEvents = (await eventsOf(t, task.guid)).filter((e) => e.name === 'task_cancel_request');
    assert.deepEqual(cancelEvents, [{ name: 'task_cancel_request', agentId: w.agent.id, projectId: PROJECT, body: { agent: { id: w.agent.id }, task: { guid: task.guid } } }]);
    const running = await report(t, task.guid, w.agent.token, [{ op: 'replace', path: '/state', value: 'RUNNING' }]);
    assert.equal(running.status, 422, 'a task asked to stop can only end');
    const failed = await reportState(t, w, task.guid, 'FAILED', 'task was cancelled');
    assert.equal(failed.state, 'FAILED');
  });

  it('a finished task cannot be canceled (422 with CF text)', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    await reportState(t, w, task.guid, 'SUCCEEDED');
    const res = await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, w.creator);
    assert.deepEqual(res.body, unprocessable('Task state is SUCCEEDED and therefore cannot be canceled'));
    assert.equal(res.status, 422);
  });
});

describe('tasks: output', () => {
  it('the agent appends chunks; readers get the text; others may not write', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    for (const chunk of ['line 1\n', 'line 2 – ünïcode\n']) {
      const res = await req('POST', `/v3/tasks/${task.guid}/output`, w.agent.token, { raw: chunk, contentType: 'text/plain' });
      assert.equal(res.status, 204, res.text);
    }
    const read = await req('GET', `/v3/tasks/${task.guid}/output`, w.observer);
    assert.equal(read.status, 200);
    assert.equal(read.text, 'line 1\nline 2 – ünïcode\n');
    assert.match(read.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(read.headers.get('x-output-total-bytes'), String(Buffer.byteLength('line 1\nline 2 – ünïcode\n')));
    assert.deepEqual((await req('POST', `/v3/tasks/${task.guid}/output`, w.creator, { raw: 'x', contentType: 'text/plain' })).body, NOT_AUTHORIZED);
    assert.equal((await req('POST', `/v3/tasks/${task.guid}/output`, w.otherAgent.token, { raw: 'x', contentType: 'text/plain' })).status, 404);
    assert.equal((await req('GET', `/v3/tasks/${task.guid}/output`, w.stranger)).status, 404);
  });

  it('keeps the last 1 MiB, cut at a character boundary', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const chunk = 'é'.repeat(300_000); // 600 000 bytes
    for (let i = 0; i < 2; i++) assert.equal((await req('POST', `/v3/tasks/${task.guid}/output`, w.agent.token, { raw: chunk, contentType: 'text/plain' })).status, 204);
    await req('POST', `/v3/tasks/${task.guid}/output`, w.agent.token, { raw: 'END', contentType: 'text/plain' });
    const read = await req('GET', `/v3/tasks/${task.guid}/output`, w.creator);
    assert.ok(Buffer.byteLength(read.text) <= MAX_KEPT_OUTPUT_BYTES);
    assert.ok(Buffer.byteLength(read.text) > MAX_KEPT_OUTPUT_BYTES - 4);
    assert.ok(read.text.endsWith('éEND'));
    assert.equal(read.headers.get('x-output-total-bytes'), String(1_200_003));
    assert.equal(keepTail('aé', 2), 'é');
    assert.equal(keepTail('aé', 1), '');
  });
});

describe('tasks: metadata update (application/json)', () => {
  it('merges labels and annotations without touching updated_at', async () => {
    const task = await createTask(t, w.agent.id, w.creator, { metadata: { labels: { potato: 'yam', style: 'baked' }, annotations: { potato: 'idaho', style: 'french' } } });
    await setTaskTimes(t, task.guid, { updated_at: '2021-06-01T10:00:00.000000Z' });
    const res = await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { metadata: { labels: { style: 'casserole', empty: '' }, annotations: { potato: null } } } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.metadata, { labels: { potato: 'yam', style: 'casserole', empty: '' }, annotations: { style: 'french' } });
    assert.equal(res.body.updated_at, '2021-06-01T10:00:00Z');
    const labelled = await req('GET', `/v3/tasks?label_selector=style%3Dcasserole,empty%3D&guids=${task.guid}`, w.creator);
    assert.equal(labelled.body.pagination.total_results, 0, '`empty=` matches nothing');
    const byStyle = await req('GET', `/v3/tasks?label_selector=style%3Dcasserole&guids=${task.guid}`, w.creator);
    assert.equal(byStyle.body.pagination.total_results, 1);
    const baked = await req('GET', `/v3/tasks?label_selector=style%3Dbaked&guids=${task.guid}`, w.creator);
    assert.equal(baked.body.pagination.total_results, 0);
  });

  it('an empty body, `{}` and a body without metadata change nothing', async () => {
    const task = await createTask(t, w.agent.id, w.creator, { metadata: { labels: { a: 'b' } } });
    for (const options of [{}, { body: {} }, { body: { metadata: {} } }, { body: { metadata: { labels: null } } }]) {
      const res = await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, options);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.metadata, { labels: { a: 'b' }, annotations: {} });
    }
    assert.equal((await req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: [{}] })).status, 400);
  });

  it('concurrent updates of different keys keep both', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => req('PATCH', `/v3/tasks/${task.guid}`, w.creator, { body: { metadata: { labels: { [`k${i}`]: `v${i}` } } } })));
    for (const res of results) assert.equal(res.status, 200, res.text);
    const read = await req('GET', `/v3/tasks/${task.guid}`, w.creator);
    assert.equal(Object.keys(read.body.metadata.labels).length, 20);
    const selected = await req('GET', `/v3/tasks?label_selector=k0%3Dv0,k19%3Dv19`, w.creator);
    assert.deepEqual(
      selected.body.resources.map((r: { guid: string }) => r.guid),
      [task.guid],
    );
  });
});

describe('tasks: sweeper', () => {
  it('fails PENDING tasks older than the expiry with CF text and a task_failed event; leaves younger and running ones', async () => {
    const old = await createTask(t, w.agent.id, w.creator);
    const young = await createTask(t, w.agent.id, w.creator);
    const running = await createTask(t, w.agent.id, w.creator);
    await reportState(t, w, running.guid, 'RUNNING');
    const now = new Date(Date.now() + EXPIRY_SECONDS * 1000 + 10 * 60_000);
    await setTaskTimes(t, young.guid, { created_at: toWireTime(new Date(now.getTime() - EXPIRY_SECONDS * 1000 + 1000)) });
    await setTaskTimes(t, running.guid, { created_at: toWireTime(new Date(now.getTime() - EXPIRY_SECONDS * 1000 - 3_600_000)) });
    const result = await sweepTasks(t.server.ctx, now);
    assert.ok(result.expired >= 1);
    const expired = await req('GET', `/v3/tasks/${old.guid}`, w.creator);
    assert.equal(expired.body.state, 'FAILED');
    assert.deepEqual(expired.body.result, { failure_reason: 'Task expired in PENDING state' });
    assert.equal((await eventsOf(t, old.guid)).at(-1)?.name, 'task_failed');
    assert.equal((await req('GET', `/v3/tasks/${young.guid}`, w.creator)).body.state, 'PENDING');
    assert.equal((await req('GET', `/v3/tasks/${running.guid}`, w.creator)).body.state, 'RUNNING');
  });

  it('fails a CANCELING task whose agent never confirmed the cancel, once the expiry has passed since the cancel', async () => {
    const stuck = await createTask(t, w.agent.id, w.creator);
    await reportState(t, w, stuck.guid, 'RUNNING');
    const fresh = await createTask(t, w.agent.id, w.creator);
    for (const task of [stuck, fresh]) assert.equal((await req('POST', `/v3/tasks/${task.guid}/actions/cancel`, w.creator)).status, 202);
    const now = new Date(Date.now() + EXPIRY_SECONDS * 1000 + 10 * 60_000);
    await setTaskTimes(t, fresh.guid, { created_at: toWireTime(new Date(now.getTime() - EXPIRY_SECONDS * 1000 - 60_000)), updated_at: toWireTime(new Date(now.getTime() - 1000)) });
    await sweepTasks(t.server.ctx, now);
    const failed = await req('GET', `/v3/tasks/${stuck.guid}`, w.creator);
    assert.equal(failed.body.state, 'FAILED');
    assert.deepEqual(failed.body.result, { failure_reason: 'Unable to determine completion status' });
    assert.equal((await eventsOf(t, stuck.guid)).at(-1)?.name, 'task_failed');
    assert.equal((await req('GET', `/v3/tasks/${fresh.guid}`, w.creator)).body.state, 'CANCELING', 'a recent cancel is left to the agent');
  });

  it('the periodic sweeper (as the server starts it) expires a stale PENDING task on its own', async () => {
    const task = await createTask(t, w.agent.id, w.creator);
    await setTaskTimes(t, task.guid, { created_at: toWireTime(new Date(Date.now() - EXPIRY_SECONDS * 1000 - 1000)) });
    const stop = startTaskSweeper(t.server.ctx, 20);
    const deadline = Date.now() + 5000;
    let state = 'PENDING';
    while (state === 'PENDING' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      state = (await req('GET', `/v3/tasks/${task.guid}`, w.creator)).body.state;
    }
    await stop();
    assert.equal(state, 'FAILED');
  });

  it('prunes SUCCEEDED and FAILED tasks 31 days after their last change, with their labels', async () => {
    const finished = await createTask(t, w.agent.id, w.creator, { metadata: { labels: { prune: 'me' } } });
    await reportState(t, w, finished.guid, 'SUCCEEDED');
    const kept = await createTask(t, w.agent.id, w.creator, { metadata: { labels: { prune: 'me' } } });
    await reportState(t, w, kept.guid, 'RUNNING');
    const now = new Date(Date.now() + 32 * 86400_000);
    await setTaskTimes(t, kept.guid, { created_at: toWireTime(now), updated_at: toWireTime(new Date(Date.now() - 40 * 86400_000)) });
    await sweepTasks(t.server.ctx, now);
    assert.equal((await req('GET', `/v3/tasks/${finished.guid}`, w.creator)).status, 404);
    assert.equal((await req('GET', `/v3/tasks/${kept.guid}`, w.creator)).status, 200);
    const labels = await t.server.ctx.store.db.selectFrom('task_labels').selectAll().where('task_id', '=', finished.guid).execute();
    assert.deepEqual(labels, []);
  });
});

describe('tasks: lists', () => {
  it('order_by created_at / -created_at / updated_at with the guid as second key; links carry %2B for ascending', async () => {
    const fresh = await import('../helpers/fixtures.js').then((m) => m.registerAgent(t, w.admin, PROJECT, {}, { tasks: true }));
    const tasks: any[] = [];
    for (let i = 0; i < 4; i++) tasks.push(await createTask(t, fresh.id, w.creator));
    const seconds = ['03', '02', '01', '04'];
    for (const [i, task] of tasks.entries()) {
      await setTaskTimes(t, task.guid, { created_at: `2020-05-26T18:47:${seconds[i]}.000000Z`, updated_at: `2020-05-26T18:47:${seconds[3 - i]}.000000Z` });
    }
    const order = async (query: string) => (await req('GET', `/v3/agents/${fresh.id}/tasks?${query}`, w.creator)).body;
    const asc = await order('order_by=%2Bcreated_at');
    assert.deepEqual(
      asc.resources.map((r: { guid: string }) => r.guid),
      [tasks[2], tasks[1], tasks[0], tasks[3]].map((x) => x.guid),
    );
    assert.equal(asc.pagination.first.href, `${t.url}/v3/agents/${fresh.id}/tasks?order_by=%2Bcreated_at&page=1&per_page=50`);
    const plain = await order('order_by=created_at');
    assert.equal(plain.pagination.first.href, `${t.url}/v3/agents/${fresh.id}/tasks?order_by=%2Bcreated_at&page=1&per_page=50`);
    const desc = await order('order_by=-created_at');
    assert.deepEqual(
      desc.resources.map((r: { guid: string }) => r.guid),
      [tasks[3], tasks[0], tasks[1], tasks[2]].map((x) => x.guid),
    );
    assert.equal(desc.pagination.first.href, `${t.url}/v3/agents/${fresh.id}/tasks?order_by=-created_at&page=1&per_page=50`);
    const byUpdate = await order('order_by=-updated_at');
    assert.deepEqual(
      byUpdate.resources.map((r: { guid: string }) => r.guid),
      [tasks[0], tasks[3], tasks[2], tasks[1]].map((x) => x.guid),
    );
    const byDefault = await order('');
    assert.deepEqual(
      byDefault.resources.map((r: { guid: string }) => r.guid),
      tasks.map((x) => x.guid),
    );
    const bad = await req('GET', `/v3/tasks?order_by=name`, w.creator);
    assert.equal(bad.body.errors[0].detail, "The query parameter is invalid: Order by can only be: 'created_at', 'updated_at'");
  });

  it('timestamp filters: equality within the second, lt, lte, gt, gte, combined, and their 400 texts', async () => {
    const fresh = await import('../helpers/fixtures.js').then((m) => m.registerAgent(t, w.admin, PROJECT, {}, { tasks: true }));
    const tasks: any[] = [];
    for (let i = 1; i <= 4; i++) {
      const task = await createTask(t, fresh.id, w.creator);
      await setTaskTimes(t, task.guid, { created_at: `2020-05-26T18:47:0${i}.500000Z`, updated_at: `2021-01-01T00:00:0${i}.000000Z` });
      tasks.push(task.guid);
    }
    const pick = async (query: string) => {
      const res = await req('GET', `/v3/agents/${fresh.id}/tasks?${query}`, w.creator);
      assert.equal(res.status, 200, res.text);
      return res.body.resources.map((r: { guid: string }) => tasks.indexOf(r.guid) + 1);
    };
    assert.deepEqual(await pick('created_ats=2020-05-26T18:47:02Z'), [2]);
    assert.deepEqual(await pick('created_ats=2020-05-26T18:47:02Z,2020-05-26T18:47:04Z'), [2, 4]);
    assert.deepEqual(await pick('created_ats[lt]=2020-05-26T18:47:03Z'), [1, 2]);
    assert.deepEqual(await pick('created_ats%5Blte%5D=2020-05-26T18:47:03Z'), [1, 2, 3]);
    assert.deepEqual(await pick('created_ats[gt]=2020-05-26T18:47:03Z'), [4]);
    assert.deepEqual(await pick('created_ats[gte]=2020-05-26T18:47:03Z'), [3, 4]);
    assert.deepEqual(await pick('created_ats[gt]=2020-05-26T18:47:01Z&created_ats[lt]=2020-05-26T18:47:04Z'), [2, 3]);
    assert.deepEqual(await pick('updated_ats[lte]=2021-01-01T00:00:02Z'), [1, 2]);
    const links = await req('GET', `/v3/agents/${fresh.id}/tasks?created_ats[gt]=2020-05-26T18:47:01Z&updated_ats=2021-01-01T00:00:02Z`, w.creator);
    assert.equal(links.body.pagination.first.href, `${t.url}/v3/agents/${fresh.id}/tasks?created_ats%5Bgt%5D=2020-05-26T18%3A47%3A01Z&page=1&per_page=50&updated_ats=2021-01-01T00%3A00%3A02Z`);
    const errors: [string, string][] = [
      ['created_ats=yesterday', "Created ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'"],
      ['updated_ats[lt]=2020-05-26', "Updated ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'"],
      ['created_ats[foo]=2020-05-26T18:47:01Z', "Created ats Invalid relational operator: 'foo'"],
      ['created_ats[lt]=2020-05-26T18:47:01Z,2020-05-26T18:47:02Z', 'Created ats only accepts one value when using a relational operator'],
      ['created_ats[lt]=', 'Created ats relational operator and timestamp must be specified'],
    ];
    for (const [query, detail] of errors) {
      const res = await req('GET', `/v3/tasks?${query}`, w.creator);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.errors[0].detail, `The query parameter is invalid: ${detail}`, query);
    }
  });

  it('page and per_page bounds; a page past the end is empty with previous; zero results still have one page', async () => {
    const fresh = await import('../helpers/fixtures.js').then((m) => m.registerAgent(t, w.admin, PROJECT, {}, { tasks: true }));
    const empty = await req('GET', `/v3/agents/${fresh.id}/tasks`, w.creator);
    assert.deepEqual(empty.body, {
      pagination: {
        total_results: 0,
        total_pages: 1,
        first: { href: `${t.url}/v3/agents/${fresh.id}/tasks?page=1&per_page=50` },
        last: { href: `${t.url}/v3/agents/${fresh.id}/tasks?page=1&per_page=50` },
        next: null,
        previous: null,
      },
      resources: [],
    });
    await createTask(t, fresh.id, w.creator);
    const beyond = await req('GET', `/v3/agents/${fresh.id}/tasks?page=5&per_page=1`, w.creator);
    assert.deepEqual(beyond.body.resources, []);
    assert.equal(beyond.body.pagination.previous.href, `${t.url}/v3/agents/${fresh.id}/tasks?page=4&per_page=1`);
    assert.equal(beyond.body.pagination.next, null);
    assert.equal((await req('GET', `/v3/tasks?per_page=5000`, w.creator)).status, 200);
    const cases: [string, string][] = [
      ['per_page=5001', 'Per page must be between 1 and 5000'],
      ['per_page=0', 'Per page must be a positive integer'],
      ['page=0', 'Page must be a positive integer'],
      ['page=x&per_page=y', 'Page must be a positive integer, Per page must be a positive integer'],
    ];
    for (const [query, detail] of cases) {
      const res = await req('GET', `/v3/tasks?${query}`, w.creator);
      assert.equal(res.status, 400);
      assert.equal(res.body.errors[0].detail, `The query parameter is invalid: ${detail}`);
    }
  });

  it('tokens: none 401 CF-NotAuthenticated, unknown 401 CF-InvalidAuthToken; X-Auth-Token works too', async () => {
    assert.deepEqual((await req('GET', '/v3/tasks', null)).body, { errors: [{ detail: 'Authentication error', title: 'CF-NotAuthenticated', code: 10002 }] });
    assert.deepEqual((await req('GET', '/v3/tasks', 'nope')).body, { errors: [{ detail: 'Invalid Auth Token', title: 'CF-InvalidAuthToken', code: 1000 }] });
    assert.equal((await t.request('GET', '/v3/tasks', { token: w.observer })).status, 200);
  });

  it('anything unexpected is 500 UnknownError (10001) without details', async () => {
    const guid = '00000000-0000-4000-8000-00000000dead';
    const now = toWireTime(new Date());
    await t.server.ctx.store.db
      .insertInto('tasks')
      .values({
        id: guid,
        project_id: PROJECT,
        agent_id: w.agent.id,
        sequence_id: 1_000_000,
        name: 'broken',
        command: 'x',
        run_user: null,
        state: 'PENDING',
        failure_reason: null,
        memory_in_mb: 1,
        disk_in_mb: 1,
        log_rate_limit: 1,
        droplet_guid: null,
        labels: 'not json',
        annotations: '{}',
        output: '',
        output_bytes: 0,
        created_at: now,
        updated_at: now,
        version_no: 1,
      })
      .execute();
    try {
      const res = await req('GET', `/v3/tasks/${guid}`, w.creator);
      assert.equal(res.status, 500);
      assert.deepEqual(res.body, { errors: [{ detail: 'An unknown error occurred.', title: 'UnknownError', code: 10001 }] });
    } finally {
      await t.server.ctx.store.db.deleteFrom('tasks').where('id', '=', guid).execute();
    }
  });

  it('tasks appear in the OpenAPI document', async () => {
    const doc = await t.request('GET', '/openapi.json', { token: null });
    assert.equal(doc.status, 200);
    for (const path of ['/v3/tasks', '/v3/tasks/{guid}', '/v3/agents/{guid}/tasks', '/v3/tasks/{guid}/actions/cancel', '/v3/tasks/{guid}/cancel', '/v3/tasks/{guid}/output']) {
      assert.ok(doc.body.paths[path], path);
    }
    assert.ok(doc.body.paths['/v3/tasks/{guid}'].patch);
  });
});
