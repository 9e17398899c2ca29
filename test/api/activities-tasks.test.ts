import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, PROJECT, type World } from '../helpers/fixtures.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t, { tasks: true });
});
after(async () => t.close());

it('tasks appear among the activities of their agent and project, typed task and linked to /v3, paged with the jobs', async () => {
  const cleanup = await t.request('POST', `/v2/${PROJECT}/cleanups`, { token: w.creator, body: { agent_id: w.agent.id, state: 'start_requested' } });
  assert.equal(cleanup.status, 201);
  const task = await t.request('POST', `/v3/agents/${w.agent.id}/tasks`, { token: w.creator, body: { command: 'echo hello', name: 'hello' } });
  assert.equal(task.status, 202, task.text);
  const otherTask = await t.request('POST', `/v3/agents/${w.otherAgent.id}/tasks`, { token: w.creator, body: { command: 'true' } });
  assert.equal(otherTask.status, 202, otherTask.text);

  const agentActivities = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/activities`, { token: w.observer });
  assert.equal(agentActivities.status, 200);
  const ids = agentActivities.body.activities.map((a: { id: string }) => a.id);
  assert.deepEqual(ids, [task.body.guid, cleanup.body.id], 'newest first, only this agent');
  const taskActivity = agentActivities.body.activities[0];
  assert.equal(taskActivity.type, 'task');
  assert.equal(taskActivity.state, 'PENDING');
  assert.equal('configuration' in taskActivity, false);
  assert.deepEqual(taskActivity.links, [{ href: `${t.url}/v3/tasks/${task.body.guid}`, rel: 'task' }]);

  const onlyTasks = await t.request('GET', `/v2/${PROJECT}/activities?type=task`, { token: w.observer });
  assert.deepEqual(onlyTasks.body.activities.map((a: { id: string }) => a.id).sort(), [task.body.guid, otherTask.body.guid].sort());
  const pending = await t.request('GET', `/v2/${PROJECT}/activities?state=PENDING,start_requested`, { token: w.observer });
  assert.equal(pending.body.activities.length, 3);
  const noTasks = await t.request('GET', `/v2/${PROJECT}/activities?type=cleanup`, { token: w.observer });
  assert.deepEqual(
    noTasks.body.activities.map((a: { id: string }) => a.id),
    [cleanup.body.id],
  );

  const first = await t.request('GET', `/v2/${PROJECT}/activities?limit=2`, { token: w.observer });
  assert.equal(first.body.activities.length, 2);
  const next = first.body.links.find((l: { rel: string }) => l.rel === 'next');
  const second = await fetch(next.href, { headers: { 'x-auth-token': w.observer } }).then((r) => r.json() as Promise<any>);
  const all = [...first.body.activities, ...second.activities].map((a: { id: string }) => a.id);
  assert.deepEqual(all.sort(), [cleanup.body.id, task.body.guid, otherTask.body.guid].sort(), 'paging across jobs and tasks loses and repeats nothing');

  const badType = await t.request('GET', `/v2/${PROJECT}/activities?type=snapshot`, { token: w.observer });
  assert.equal(badType.status, 400);
});

it("an observer reading the event stream does not see a task's command; a creator does", async () => {
  const task = await t.request('POST', `/v3/agents/${w.agent.id}/tasks`, { token: w.creator, body: { command: 'echo secret-value' } });
  assert.equal(task.status, 202, task.text);
  const find = async (token: string) => {
    const res = await t.request('GET', `/v2/${PROJECT}/events?limit=1000`, { token });
    assert.equal(res.status, 200, res.text);
    return res.body.events.find((e: { event: string; task?: { guid: string } }) => e.event === 'task_start_request' && e.task?.guid === task.body.guid);
  };
  const seenByObserver = await find(w.observer);
  assert.ok(seenByObserver, 'the observer sees the event');
  assert.equal('command' in seenByObserver.task, false);
  assert.doesNotMatch(JSON.stringify(seenByObserver), /secret-value/);
  assert.equal((await find(w.creator)).task.command, 'echo secret-value');
});
