import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, realRsaPublicKey, registerAgent, type RegisteredAgent, type World } from '../helpers/fixtures.js';

/*
 * X-Agent-Id identifies nobody: only the agent's own token speaks for the agent. An observer's or a creator's token
 * with the agent's X-Agent-Id is that user, whom every agent report refuses; observers write nothing.
 */

let t: TestServer;
let w: World;
let agent: RegisteredAgent;
let configId: string;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  agent = await registerAgent(t, w.admin, PROJECT, { rsa_public_key: realRsaPublicKey() });
  const config = await t.request('POST', `/v2/${PROJECT}/configurations`, {
    token: w.creator,
    body: {
      agent_id: agent.id,
      name: 'Nightly',
      enabled: true,
      schedule: { recurrence: ['RRULE:FREQ=DAILY;INTERVAL=1;BYHOUR=2;BYMINUTE=0'], time_zone: 'UTC' },
      retention: { days: 30 },
      inclusions: [{ type: 'folder', path: '/web/' }],
      exclusions: [],
      notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
    },
  });
  assert.equal(config.status, 201, config.text);
  configId = config.body.id;
});
after(async () => t.close());

const posing = () => [
  { who: 'observer', token: w.observer },
  { who: 'creator', token: w.creator },
  { who: 'admin', token: w.admin },
];
const as = (token: string) => ({ token, headers: { 'x-agent-id': agent.id } });

describe('X-Agent-Id with a user token', { timeout: 60_000 }, () => {
  it('startup, shutdown and heartbeat events are refused; the agent stays offline and its stream unchanged', async () => {
    await t.server.ctx.store.db.updateTable('agents').set({ last_seen_at: null }).where('id', '=', agent.id).execute();
    const before = await t.server.ctx.store.db.selectFrom('events').select('id').where('agent_id', '=', agent.id).execute();
    for (const { who, token } of posing()) {
      for (const event of ['startup', 'shutdown', 'agent_heartbeat']) {
        const res = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/events`, { ...as(token), body: { event } });
        assert.equal(res.status, 403, `${who} ${event}: ${res.text}`);
        assert.match(res.body.message, /only the agent itself, with its own token/i);
      }
    }
    const status = await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/status`, { token: w.creator });
    assert.equal(status.body.online, false);
    const afterEvents = await t.server.ctx.store.db.selectFrom('events').select('id').where('agent_id', '=', agent.id).execute();
    assert.equal(afterEvents.length, before.length);
  });

  it('observers may not wake agents (agent_activate), one or all; creators may', async () => {
    const body = { event: 'agent_activate', mode: 'active' };
    assert.equal((await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/events`, { ...as(w.observer), body })).status, 403);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/events`, { ...as(w.observer), body })).status, 403);
    const row = await t.server.ctx.store.db.selectFrom('agents').select('activation_mode').where('id', '=', agent.id).executeTakeFirstOrThrow();
    assert.notEqual(row.activation_mode, 'active');
    assert.equal((await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/events`, { token: w.creator, body })).status, 202);
  });

  it('job states: starting as scheduled and every agent state PATCH are refused; the job does not move', async () => {
    const scheduled = await t.request('POST', `/v2/${PROJECT}/backups`, { ...as(w.creator), body: { configuration_id: configId, state: 'start_scheduled' } });
    assert.equal(scheduled.status, 403, scheduled.text);
    const created = await t.request('POST', `/v2/${PROJECT}/backups`, { token: w.creator, body: { configuration_id: configId, state: 'start_requested' } });
    assert.equal(created.status, 201);
    const id = created.body.id;
    for (const { who, token } of posing()) {
      for (const ops of [[{ op: 'replace', path: '/state', value: 'queued' }], [{ op: 'replace', path: '/state', value: 'skipped' }], [{ op: 'add', path: '/files_searched', value: 1 }]]) {
        const res = await t.request('PATCH', `/v2/${PROJECT}/backups/${id}`, { token, raw: JSON.stringify(ops), headers: { ...patchHeaders, 'x-agent-id': agent.id } });
        assert.equal(res.status, 403, `${who} ${JSON.stringify(ops)}: ${res.text}`);
      }
    }
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${id}`, { token: w.creator })).body.state, 'start_requested');
    const cleanup = await t.request('POST', `/v2/${PROJECT}/cleanups`, { ...as(w.creator), body: { agent_id: agent.id, state: 'start_scheduled' } });
    assert.equal(cleanup.status, 403);
  });

  it('browse results are refused; the request stays unanswered', async () => {
    const asked = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/browse-requests`, { token: w.creator, body: { path: '/' } });
    assert.equal(asked.status, 202, asked.text);
    const url = new URL(asked.headers.get('location')!).pathname;
    const listing = { succeeded: true, path: '/', items: [{ name: 'etc', bytes: 0, mime_type: 'inode/directory' }] };
    for (const { who, token } of posing()) {
      const res = await t.request('POST', url, { ...as(token), body: listing });
      assert.equal(res.status, 403, `${who}: ${res.text}`);
    }
    assert.equal((await t.request('GET', url, { token: w.creator })).status, 404, 'still waiting for the agent');
    assert.equal((await t.request('POST', url, { ...as(agent.token), body: listing })).status, 204, 'the agent itself answers');
  });

  it('vault-encryption and password-verification results are refused; the vault stays unencrypted', async () => {
    const asked = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/vault-encryption-requests`, { token: w.creator, body: { new_encrypted_password_hex: 'ab'.repeat(256) } });
    assert.equal(asked.status, 202, asked.text);
    const url = new URL(asked.headers.get('location')!).pathname;
    for (const { who, token } of posing()) {
      const res = await t.request('POST', url, { ...as(token), body: { action: 'enabled', succeeded: true } });
      assert.equal(res.status, 403, `${who}: ${res.text}`);
    }
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}`, { token: w.creator })).body.vault.encrypted, false);
    const seenBy = async (token: string) =>
      (await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/events?sort_dir=desc&limit=20`, { token })).body.events.find((e: any) => e.event === 'vault_encryption_enable');
    assert.equal((await seenBy(w.creator)).encrypted_password_hex, 'ab'.repeat(256));
    const observed = await seenBy(w.observer);
    assert.ok(observed && !('encrypted_password_hex' in observed), 'observers do not see the encrypted password');
    assert.equal((await t.request('POST', url, { ...as(agent.token), body: { action: 'enabled', succeeded: true } })).status, 204, 'the agent itself reports');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}`, { token: w.creator })).body.vault.encrypted, true);
    const verify = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/vault-password-verification-requests`, { token: w.creator, body: { encrypted_password_hex: 'ab'.repeat(256) } });
    assert.equal(verify.status, 202, verify.text);
    const verifyUrl = new URL(verify.headers.get('location')!).pathname;
    assert.equal((await t.request('POST', verifyUrl, { ...as(w.creator), body: { verified: true } })).status, 403);
    assert.equal((await t.request('GET', verifyUrl, { token: w.creator })).status, 404, 'no answer recorded');
  });
});

describe('X-Agent-Id with an agent token', { timeout: 60_000 }, () => {
  it("must name the token's agent (403 otherwise); naming itself works as before", async () => {
    const mismatched = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, { token: w.agent.token, headers: { 'x-agent-id': w.otherAgent.id } });
    assert.equal(mismatched.status, 403);
    assert.equal(mismatched.body.message, 'X-Agent-Id does not match the agent token.');
    const startup = await t.request('POST', `/v2/${PROJECT}/agents/${w.otherAgent.id}/events`, { token: w.agent.token, headers: { 'x-agent-id': w.otherAgent.id }, body: { event: 'startup' } });
    assert.equal(startup.status, 403);
    const own = await t.request('POST', `/v2/${PROJECT}/agents/${agent.id}/events`, { token: agent.token, headers: { 'x-agent-id': agent.id }, body: { event: 'startup' } });
    assert.equal(own.status, 202);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${agent.id}/status`, { token: w.creator })).body.online, true);
  });
});
