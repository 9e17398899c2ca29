import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { v3 } from './tasks-helpers.js';

describe('tasks are off until the agent says its owner enabled them', { timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer();
    w = await buildWorld(t);
  });
  after(() => t.close());

  it('refuses to create a task for an agent that did not report tasks enabled, saying why', async () => {
    const res = await v3(t)('POST', `/v3/agents/${w.agent.id}/tasks`, w.creator, { body: { command: 'id' } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.errors[0].title, 'CF-UnprocessableEntity');
    assert.match(res.body.errors[0].detail, new RegExp(`Agent ${w.agent.id} does not accept tasks: .*--allow-tasks`));
    const listed = await v3(t)('GET', `/v3/agents/${w.agent.id}/tasks`, w.creator);
    assert.equal(listed.body.pagination.total_results, 0);
  });

  it('follows what the agent says at each login, both ways', async () => {
    const agent = await registerAgent(t, w.admin, PROJECT, {}, { tasks: true });
    assert.equal((await v3(t)('POST', `/v3/agents/${agent.id}/tasks`, w.creator, { body: { command: 'id' } })).status, 202);
    const row = await t.server.ctx.store.db.selectFrom('agents').select(['fingerprint']).where('id', '=', agent.id).executeTakeFirstOrThrow();
    const login = await t.request('POST', `/v2/${PROJECT}/agents/tokens`, {
      token: null,
      body: { id: agent.id, password: agent.password, host: { fingerprint: row.fingerprint }, capabilities: { tasks: false } },
    });
    assert.equal(login.status, 200, login.text);
    assert.equal((await v3(t)('POST', `/v3/agents/${agent.id}/tasks`, w.creator, { body: { command: 'id' } })).status, 422);
    const bad = await t.request('POST', `/v2/${PROJECT}/agents/tokens`, {
      token: null,
      body: { id: agent.id, password: agent.password, host: { fingerprint: row.fingerprint }, capabilities: { tasks: 'yes' } },
    });
    assert.equal(bad.status, 400, bad.text);
  });
});
