import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { agentRegistration, buildWorld, depositVaultKey, patchHeaders, PROJECT, registerAgent, type RegisteredAgent, type World } from '../helpers/fixtures.js';
import { insertJob } from '../../src/resources/jobs/job-insert.js';

const VAULT_NOT_EMPTY = 'The vault property (region) cannot be updated, reason: vault is not empty.';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const agentUrl = (id: string, ...rest: string[]) => [`/v2/${PROJECT}/agents/${id}`, ...rest].join('/');
const getAgent = async (id: string) => (await t.request('GET', agentUrl(id), { token: w.admin })).body;
const patch = (id: string, ops: unknown, token = w.creator) => t.request('PATCH', agentUrl(id), { token, raw: JSON.stringify(ops), headers: patchHeaders });
const db = () => t.server.ctx.store.db;

async function insertJobFor(agentId: string, kind: 'backup' | 'cleanup', state: string) {
  const job = await t.server.ctx.store.transaction((tx) => insertJob(tx, { projectId: PROJECT, kind, agentId, state: 'start_requested' }));
  await db().updateTable('jobs').set({ state }).where('id', '=', job.id).execute();
  return job.id;
}

async function eventNames(agentId: string, marker: string) {
  const res = await t.request('GET', `${agentUrl(agentId, 'events')}?marker=${marker}`, { token: w.admin });
  return res.body.events.map((e: { event: string }) => e.event).filter((n: string) => n !== 'agent_heartbeat');
}
async function marker(agentId: string) {
  return (await t.request('GET', `${agentUrl(agentId, 'events')}?sort_dir=desc&limit=1`, { token: w.admin })).body.events[0].id;
}

describe('agents: list by host machine', () => {
  it("GET /agents?host_machine_id= returns only that host's agents; unknown id → empty list", async () => {
    const registration = agentRegistration();
    const created = await t.request('POST', `/v2/${PROJECT}/agents`, { token: w.creator, body: registration });
    assert.equal(created.status, 201);
    const res = await t.request('GET', `/v2/${PROJECT}/agents?host_machine_id=${registration.host.machine.id}`, { token: w.observer });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.agents.map((a: { id: string }) => a.id),
      [created.body.id],
    );
    assert.deepEqual((await t.request('GET', `/v2/${PROJECT}/agents?host_machine_id=nope`, { token: w.observer })).body, { agents: [] });
    assert.ok((await t.request('GET', `/v2/${PROJECT}/agents`, { token: w.observer })).body.agents.length >= 3);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents`, { token: null })).status, 401);
  });
});

describe('agents: PATCH', () => {
  it('changes enabled, vault region, use_internal and log level (add ≡ replace, /log-level alias); the agent hears configuration_changed', async () => {
    const agent = await registerAgent(t, w.admin);
    const from = await marker(agent.id);
    const res = await patch(agent.id, [
      { op: 'replace', path: '/enabled', value: false },
      { op: 'add', path: '/vault/region', value: 'ORD' },
      { op: 'replace', path: '/vault/use_internal', value: false },
      { op: 'replace', path: '/log-level', value: 'DEBUG' },
    ]);
    assert.equal(res.status, 204, res.text);
    assert.equal(res.text, '');
    const after = await getAgent(agent.id);
    assert.equal(after.enabled, false);
    assert.equal(after.vault.region, 'ORD');
    assert.equal(after.vault.use_internal, false);
    assert.equal(after.log_level, 'debug');
    assert.deepEqual(await eventNames(agent.id, from), ['configuration_changed']);
    assert.equal((await patch(agent.id, [{ op: 'replace', path: '/log_level', value: 'warn' }])).status, 204);
    assert.equal((await getAgent(agent.id)).log_level, 'warn');
    const unchanged = await marker(agent.id);
    assert.equal((await patch(agent.id, [{ op: 'replace', path: '/log_level', value: 'warn' }])).status, 204);
    assert.deepEqual(await eventNames(agent.id, unchanged), [], 'no change, no event');
  });

  it('bad paths, ops and values → 400 naming them, and nothing changes', async () => {
    const agent = await registerAgent(t, w.admin);
    const cases: unknown[] = [
      [{ op: 'replace', path: '/name', value: 'x' }],
      [{ op: 'remove', path: '/enabled' }],
      [{ op: 'replace', path: '/enabled', value: 'yes' }],
      [{ op: 'replace', path: '/log_level', value: 'verbose' }],
      [{ op: 'replace', path: '/vault/region', value: '' }],
      [{ op: 'replace', path: '/vault/use_internal', value: 1 }],
      [
        { op: 'replace', path: '/enabled', value: false },
        { op: 'replace', path: '/vault/id', value: 'x' },
      ],
      { op: 'replace', path: '/enabled', value: false },
    ];
    for (const ops of cases) {
      const res = await patch(agent.id, ops);
      assert.equal(res.status, 400, JSON.stringify(ops));
      assert.ok(res.body.message.length > 0);
    }
    assert.match((await patch(agent.id, [{ op: 'replace', path: '/name', value: 'x' }])).body.message, /\/name/);
    assert.equal((await getAgent(agent.id)).enabled, true);
  });

  it('a failed test → 409; a passing test applies', async () => {
    const agent = await registerAgent(t, w.admin);
    assert.equal(
      (
        await patch(agent.id, [
          { op: 'test', path: '/enabled', value: false },
          { op: 'replace', path: '/enabled', value: false },
        ])
      ).status,
      409,
    );
    assert.equal(
      (
        await patch(agent.id, [
          { op: 'test', path: '/enabled', value: true },
          { op: 'replace', path: '/enabled', value: false },
        ])
      ).status,
      204,
    );
    assert.equal((await getAgent(agent.id)).enabled, false);
  });

  it('the vault region cannot change once the vault holds data (bytes reported, or a completed backup) → 403', async () => {
    const withBytes = await registerAgent(t, w.admin);
    await db().updateTable('agents').set({ vault_bytes: 1024 }).where('id', '=', withBytes.id).execute();
    const refused = await patch(withBytes.id, [{ op: 'replace', path: '/vault/region', value: 'IAD' }]);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { message: VAULT_NOT_EMPTY });
    assert.equal((await patch(withBytes.id, [{ op: 'replace', path: '/vault/region', value: 'DFW' }])).status, 204, 'the same region is no change');
    const withBackup = await registerAgent(t, w.admin);
    assert.equal((await patch(withBackup.id, [{ op: 'replace', path: '/vault/region', value: 'SYD' }])).status, 204, 'an empty vault may move');
    await insertJobFor(withBackup.id, 'backup', 'completed');
    assert.deepEqual((await patch(withBackup.id, [{ op: 'replace', path: '/vault/region', value: 'IAD' }])).body, { message: VAULT_NOT_EMPTY });
    assert.equal((await getAgent(withBackup.id)).vault.region, 'SYD');
  });

  it('roles: observer 403, agent token 403, creator and admin 204, other project 404, no token 401, unknown agent 404', async () => {
    const ops = [{ op: 'replace', path: '/enabled', value: true }];
    assert.equal((await patch(w.agent.id, ops, w.observer)).status, 403);
    assert.equal((await patch(w.agent.id, ops, w.agent.token)).status, 403);
    assert.equal((await patch(w.agent.id, ops, w.creator)).status, 204);
    assert.equal((await patch(w.agent.id, ops, w.admin)).status, 204);
    assert.equal((await patch(w.agent.id, ops, w.stranger)).status, 404);
    assert.equal((await t.request('PATCH', agentUrl(w.agent.id), { token: null, raw: JSON.stringify(ops), headers: patchHeaders })).status, 401);
    const missing = await patch(randomUUID(), ops);
    assert.deepEqual(missing.body, { message: 'Agent not found.' });
    assert.equal((await t.request('PATCH', agentUrl(w.agent.id), { token: w.creator, raw: JSON.stringify(ops) })).status, 204, 'application/json is accepted');
  });
});

describe('agents: DELETE', () => {
  it("admin deletes an agent with its configurations, jobs and log files; the SDK's empty JSON body is fine", async () => {
    const agent = await registerAgent(t, w.admin);
    const cleanup = await insertJobFor(agent.id, 'cleanup', 'queued');
    const logfile = await t.request('POST', agentUrl(agent.id, 'logfiles'), { token: w.admin });
    assert.equal(logfile.status, 202);
    const res = await fetch(`${t.url}${agentUrl(agent.id)}`, { method: 'DELETE', headers: { 'x-auth-token': w.admin, 'content-type': 'application/json; charset=utf-8', 'content-length': '0' } });
    assert.equal(res.status, 204);
    assert.equal((await t.request('GET', agentUrl(agent.id), { token: w.admin })).status, 404);
    assert.equal(await db().selectFrom('jobs').select('id').where('id', '=', cleanup).executeTakeFirst(), undefined);
    assert.equal(await db().selectFrom('logfiles').select('id').where('agent_id', '=', agent.id).executeTakeFirst(), undefined);
    assert.equal(await db().selectFrom('tokens').select('token_hash').where('agent_id', '=', agent.id).executeTakeFirst(), undefined);
    assert.equal((await t.request('DELETE', agentUrl(agent.id), { token: w.admin })).status, 404);
  });

  it('roles: observer, creator and agent 403; other project 404; no token 401', async () => {
    const agent = await registerAgent(t, w.admin);
    for (const token of [w.observer, w.creator, agent.token]) assert.equal((await t.request('DELETE', agentUrl(agent.id), { token })).status, 403);
    assert.equal((await t.request('DELETE', agentUrl(agent.id), { token: w.stranger })).status, 404);
    assert.equal((await t.request('DELETE', agentUrl(agent.id), { token: null })).status, 401);
    assert.equal((await getAgent(agent.id)).id, agent.id);
  });
});

describe('agents: status', () => {
  it('online after the agent logged in; busy while a job is under way, not while it waits to start', async () => {
    const agent = await registerAgent(t, w.admin);
    const status = async () => (await t.request('GET', agentUrl(agent.id, 'status'), { token: w.observer })).body;
    assert.deepEqual(await status(), { busy: false, online: true });
    const job = await insertJobFor(agent.id, 'cleanup', 'start_requested');
    assert.equal((await status()).busy, false);
    await db().updateTable('jobs').set({ state: 'in_progress' }).where('id', '=', job).execute();
    assert.equal((await status()).busy, true);
    await db().updateTable('jobs').set({ state: 'completed' }).where('id', '=', job).execute();
    assert.equal((await status()).busy, false);
  });

  it('offline when not heard from within the timeout of its mode', async () => {
    const agent = await registerAgent(t, w.admin);
    const status = async () => (await t.request('GET', agentUrl(agent.id, 'status'), { token: w.observer })).body;
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    await db()
      .updateTable('agents')
      .set({ last_seen_at: minutesAgo(14) })
      .where('id', '=', agent.id)
      .execute();
    assert.equal((await status()).online, true, 'idle: three 5-minute heartbeat intervals of grace');
    await db()
      .updateTable('agents')
      .set({ last_seen_at: minutesAgo(16) })
      .where('id', '=', agent.id)
      .execute();
    assert.equal((await status()).online, false, 'idle: not heard for more than 15 minutes');
    await db()
      .updateTable('agents')
      .set({ last_seen_at: minutesAgo(2), activation_mode: 'active', activation_until: minutesAgo(-5) })
      .where('id', '=', agent.id)
      .execute();
    assert.equal((await status()).online, false, 'active: 75 s');
    const never = await t.request('POST', `/v2/${PROJECT}/agents`, { token: w.admin, body: agentRegistration() });
    assert.deepEqual((await t.request('GET', agentUrl(never.body.id, 'status'), { token: w.observer })).body, { busy: false, online: false });
  });

  it('roles: observer 200, own agent 200, other agent 404, other project 404, no token 401, unknown 404', async () => {
    for (const token of [w.observer, w.creator, w.admin]) assert.equal((await t.request('GET', agentUrl(w.agent.id, 'status'), { token })).status, 200);
    assert.equal((await t.request('GET', agentUrl(w.agent.id, 'status'), { token: w.agent.token })).status, 200);
    assert.equal((await t.request('GET', agentUrl(w.agent.id, 'status'), { token: w.otherAgent.token })).status, 404);
    assert.equal((await t.request('GET', agentUrl(w.agent.id, 'status'), { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', agentUrl(w.agent.id, 'status'), { token: null })).status, 401);
    assert.equal((await t.request('GET', agentUrl(randomUUID(), 'status'), { token: w.observer })).status, 404);
  });
});

describe('agents: vault move', () => {
  const move = (dest: string, body: unknown, token = w.admin) => t.request('POST', agentUrl(dest, 'vault'), { token, body });

  const configurationFor = async (agentId: string) => {
    const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: {
        agent_id: agentId,
        name: 'Web',
        enabled: true,
        schedule: null,
        retention: { days: 0 },
        inclusions: [{ type: 'folder', path: '/web/' }],
        exclusions: [],
        notifications: [{ type: 'email', destination: 'ops@example.com', on_success: false, on_failure: true }],
      },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  /** Everything a move may change, to show that a refused one changed nothing. */
  const snapshot = async (...ids: string[]) => ({
    agents: await db().selectFrom('agents').select(['id', 'vault_id', 'key_custody', 'version_no']).where('id', 'in', ids).orderBy('id').execute(),
    configurations: await db().selectFrom('configurations').select(['id', 'agent_id']).where('agent_id', 'in', ids).orderBy('id').execute(),
    jobs: await db().selectFrom('jobs').select(['id', 'agent_id']).where('agent_id', 'in', ids).orderBy('id').execute(),
  });

  it("the destination adopts the source's vault, configurations and history; the source gets a new empty vault; moving back works", async () => {
    const source = await registerAgent(t, w.admin);
    const dest = await registerAgent(t, w.admin);
    await depositVaultKey(t, source);
    const configuration = await configurationFor(source.id);
    const backup = await insertJobFor(source.id, 'backup', 'completed');
    await db().updateTable('jobs').set({ vault_id: source.vaultId, configuration_id: configuration, snapshot_id: 1 }).where('id', '=', backup).execute();
    await db().updateTable('agents').set({ vault_bytes: 500 }).where('id', '=', source.id).execute();
    const res = await move(dest.id, { source_agent_id: source.id });
    assert.equal(res.status, 204, res.text);
    const destAfter = await getAgent(dest.id);
    assert.equal(destAfter.vault.id, source.vaultId);
    assert.equal(destAfter.vault.key_custody, 'server');
    const sourceAfter = await getAgent(source.id);
    assert.notEqual(sourceAfter.vault.id, source.vaultId);
    assert.notEqual(sourceAfter.vault.id, dest.vaultId);
    const config = await t.request('GET', `/v2/${PROJECT}/configurations/${configuration}`, { token: w.admin });
    assert.equal(config.body.agent.id, dest.id);
    const listed = await t.request('GET', `/v2/${PROJECT}/backups/${backup}`, { token: w.admin });
    assert.equal(listed.body.agent.id, dest.id);
    assert.equal(listed.body.restorable, true, 'the adopting agent can open the vault: its backups stay restorable');
    // The source's new vault is empty and its history went with the vault, so the vault may move back.
    const back = await move(source.id, { source_agent_id: dest.id });
    assert.equal(back.status, 204, back.text);
    assert.equal((await getAgent(source.id)).vault.id, source.vaultId);
  });

  it('403 when the source is not in the project, its vault is private or encrypted, the server holds no key, or the destination holds data; 409 while a job runs; nothing changes', async () => {
    const source = await registerAgent(t, w.admin);
    const dest = await registerAgent(t, w.admin);
    await configurationFor(source.id);
    const refused = async (status: number, pattern: RegExp) => {
      const before = await snapshot(source.id, dest.id);
      const res = await move(dest.id, { source_agent_id: source.id });
      assert.equal(res.status, status, res.text);
      assert.match(res.body.message, pattern);
      assert.deepEqual(await snapshot(source.id, dest.id), before);
    };
    assert.equal((await move(dest.id, { source_agent_id: randomUUID() })).status, 403);
    await refused(403, /server holds no key/);
    await depositVaultKey(t, source);
    await db().updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', source.id).execute();
    await refused(403, /private/);
    await db().updateTable('agents').set({ vault_encrypted: 0, key_custody: 'private' }).where('id', '=', source.id).execute();
    await refused(403, /private/);
    await db().updateTable('agents').set({ key_custody: 'server' }).where('id', '=', source.id).execute();
    const running = await insertJobFor(source.id, 'backup', 'in_progress');
    await refused(409, /has a backup that has not ended/);
    await db().updateTable('jobs').set({ state: 'failed' }).where('id', '=', running).execute();
    await db().updateTable('agents').set({ vault_bytes: 10 }).where('id', '=', dest.id).execute();
    await refused(403, /already contains data/);
  });

  it('400 for a bad body; roles: creator 403, other project 404, no token 401; unknown destination 404', async () => {
    const source = await registerAgent(t, w.admin);
    const dest = await registerAgent(t, w.admin);
    assert.equal((await move(dest.id, {})).status, 400);
    assert.equal((await move(dest.id, { source_agent_id: 7 })).status, 400);
    assert.equal((await move(dest.id, { source_agent_id: dest.id })).status, 400);
    assert.equal((await move(dest.id, { source_agent_id: source.id }, w.creator)).status, 403);
    assert.equal((await move(dest.id, { source_agent_id: source.id }, w.observer)).status, 403);
    assert.equal((await move(dest.id, { source_agent_id: source.id }, w.stranger)).status, 404);
    assert.equal((await t.request('POST', agentUrl(dest.id, 'vault'), { token: null, body: { source_agent_id: source.id } })).status, 401);
    assert.equal((await move(randomUUID(), { source_agent_id: source.id })).status, 404);
  });
});

describe('agents: vault encryption requests', () => {
  const requestEncryption = (agent: RegisteredAgent, body: unknown, token = w.creator, collection = 'vault-encryption-requests') => t.request('POST', agentUrl(agent.id, collection), { token, body });

  it('202 + Location; the agent gets vault_encryption_enable; the result is 404 until the agent reports, then readable; the vault is encrypted', async () => {
    const agent = await registerAgent(t, w.admin);
    const from = await marker(agent.id);
    const res = await requestEncryption(agent, { old_encrypted_password_hex: null, new_encrypted_password_hex: '0bff 12ab' });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.text, '');
    const location = res.headers.get('location')!;
    const requestId = location.split('/').pop()!;
    assert.equal(location, `${t.url}${agentUrl(agent.id, 'vault-encryption-requests', requestId)}`);
    const events = (await t.request('GET', `${agentUrl(agent.id, 'events')}?marker=${from}`, { token: agent.token })).body.events;
    const enable = events.find((e: { event: string }) => e.event === 'vault_encryption_enable');
    assert.deepEqual(
      { agent: enable.agent, request_id: enable.request_id, encrypted_password_hex: enable.encrypted_password_hex },
      { agent: { id: agent.id }, request_id: requestId, encrypted_password_hex: '0bff 12ab' },
    );
    const resultUrl = agentUrl(agent.id, 'vault-encryption-requests', requestId);
    assert.equal((await t.request('GET', resultUrl, { token: w.creator })).status, 404);
    assert.equal((await t.request('POST', resultUrl, { token: agent.token, body: { action: 'changed', succeeded: true } })).status, 400, 'an enable is answered with enabled');
    assert.equal((await t.request('POST', resultUrl, { token: w.creator, body: { action: 'enabled', succeeded: true } })).status, 403, 'a user is not the agent');
    assert.equal((await t.request('POST', resultUrl, { token: w.otherAgent.token, body: { action: 'enabled', succeeded: true } })).status, 404);
    const report = await t.request('POST', resultUrl, { token: agent.token, body: { action: 'enabled', succeeded: true } });
    assert.equal(report.status, 204, report.text);
    assert.equal((await t.request('POST', resultUrl, { token: agent.token, body: { action: 'enabled', succeeded: true } })).status, 409);
    const result = await t.request('GET', resultUrl, { token: w.creator });
    assert.equal(result.status, 200);
    assert.deepEqual(Object.keys(result.body).sort(), ['agent', 'event', 'id', 'request_id', 'succeeded', 'time']);
    assert.equal(result.body.event, 'vault_encryption_enabled');
    assert.match(result.body.id, /^\d{10}$/);
    assert.deepEqual([result.body.agent, result.body.request_id, result.body.succeeded], [{ id: agent.id }, requestId, true]);
    assert.equal((await getAgent(agent.id)).vault.encrypted, true);
    const listed = (await t.request('GET', `${agentUrl(agent.id, 'events')}?marker=${from}`, { token: w.admin })).body.events;
    assert.ok(!listed.some((e: { event: string }) => e.event === 'vault_encryption_enabled'), 'result documents are not listed');
  });

  it('the old password must be given exactly when the vault is encrypted → 403 otherwise; a change sends both passwords', async () => {
    const agent = await registerAgent(t, w.admin);
    const wrong = await requestEncryption(agent, { old_encrypted_password_hex: 'aa', new_encrypted_password_hex: 'bb' });
    assert.equal(wrong.status, 403);
    assert.deepEqual(wrong.body, { message: 'An old password was supplied, but the vault is unencrypted.' });
    await db().updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', agent.id).execute();
    assert.equal((await requestEncryption(agent, { new_encrypted_password_hex: 'bb' })).status, 403);
    const from = await marker(agent.id);
    const change = await requestEncryption(agent, { old_encrypted_password_hex: 'aa', new_encrypted_password_hex: 'bb' }, w.creator, 'vault-encryption-request');
    assert.equal(change.status, 202, 'the singular path is an alias');
    const requestId = change.headers.get('location')!.split('/').pop()!;
    const event = (await t.request('GET', `${agentUrl(agent.id, 'events')}?marker=${from}`, { token: w.admin })).body.events.find((e: { event: string }) => e.event === 'vault_encryption_change');
    assert.deepEqual([event.old_encrypted_password_hex, event.new_encrypted_password_hex, event.request_id], ['aa', 'bb', requestId]);
    assert.equal((await t.request('POST', agentUrl(agent.id, 'vault-encryption-request', requestId), { token: agent.token, body: { action: 'changed', succeeded: false } })).status, 204);
    assert.equal((await t.request('GET', agentUrl(agent.id, 'vault-encryption-request', requestId), { token: w.creator })).body.event, 'vault_encryption_changed');
  });

  it('400 for bad bodies; roles: observer 403, agent 403, other project 404, no token 401; unknown request 404', async () => {
    const agent = await registerAgent(t, w.admin);
    for (const body of [{}, { new_encrypted_password_hex: 5 }, { new_encrypted_password_hex: '' }, { new_encrypted_password_hex: 'a', old_encrypted_password_hex: 3 }]) {
      assert.equal((await requestEncryption(agent, body)).status, 400, JSON.stringify(body));
    }
    const body = { new_encrypted_password_hex: 'ab' };
    assert.equal((await requestEncryption(agent, body, w.observer)).status, 403);
    assert.equal((await requestEncryption(agent, body, agent.token)).status, 403);
    assert.equal((await requestEncryption(agent, body, w.stranger)).status, 404);
    assert.equal((await t.request('POST', agentUrl(agent.id, 'vault-encryption-requests'), { token: null, body })).status, 401);
    const unknown = await t.request('GET', agentUrl(agent.id, 'vault-encryption-requests', randomUUID()), { token: w.creator });
    assert.deepEqual(unknown.body, { message: 'Vault encryption request not found.' });
    assert.equal((await t.request('POST', agentUrl(agent.id, 'vault-encryption-requests', randomUUID()), { token: agent.token, body: { action: 'enabled', succeeded: true } })).status, 404);
    const created = await requestEncryption(agent, body, w.admin);
    const url = new URL(created.headers.get('location')!).pathname;
    assert.equal((await t.request('GET', url, { token: w.observer })).status, 403);
    assert.equal((await t.request('GET', url, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', url, { token: null })).status, 401);
  });
});

describe('agents: vault password verification requests', () => {
  const verify = (agent: { id: string }, body: unknown, token = w.observer, collection = 'vault-password-verification-requests') => t.request('POST', agentUrl(agent.id, collection), { token, body });

  it('403 while the vault is unencrypted; then 202 + Location, vault_password_verify, and the verdict as valid', async () => {
    const agent = await registerAgent(t, w.admin);
    const refused = await verify(agent, { encrypted_password_hex: 'ab', agent_id: null });
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, { message: "Encryption is not enabled for this agent's vault." });
    await db().updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', agent.id).execute();
    const from = await marker(agent.id);
    const res = await verify(agent, { encrypted_password_hex: 'ab', agent_id: null });
    assert.equal(res.status, 202, res.text);
    const requestId = res.headers.get('location')!.split('/').pop()!;
    assert.equal(res.headers.get('location'), `${t.url}${agentUrl(agent.id, 'vault-password-verification-requests', requestId)}`);
    const event = (await t.request('GET', `${agentUrl(agent.id, 'events')}?marker=${from}`, { token: w.admin })).body.events.find((e: { event: string }) => e.event === 'vault_password_verify');
    assert.deepEqual([event.agent, event.request_id, event.encrypted_password_hex], [{ id: agent.id }, requestId, 'ab']);
    const url = agentUrl(agent.id, 'vault-password-verification-requests', requestId);
    assert.equal((await t.request('GET', url, { token: w.observer })).status, 404);
    assert.equal((await t.request('POST', url, { token: agent.token, body: { verified: 'yes' } })).status, 400);
    assert.equal((await t.request('POST', url, { token: w.creator, body: { verified: true } })).status, 403);
    assert.equal((await t.request('POST', url, { token: agent.token, body: { verified: true } })).status, 204);
    const result = await t.request('GET', url, { token: w.observer });
    assert.equal(result.status, 200);
    assert.equal(result.body.event, 'vault_password_verified');
    assert.equal(result.body.valid, true);
    assert.equal(result.body.request_id, requestId);
  });

  it('agent_id names the vault to check: unknown → 400, unencrypted → 403; the singular path is an alias', async () => {
    const agent = await registerAgent(t, w.admin);
    const target = await registerAgent(t, w.admin);
    assert.equal((await verify(agent, { encrypted_password_hex: 'ab', agent_id: randomUUID() })).status, 400);
    assert.equal((await verify(agent, { encrypted_password_hex: 'ab', agent_id: target.id })).status, 403);
    await db().updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', target.id).execute();
    const res = await verify(agent, { encrypted_password_hex: 'ab', agent_id: target.id }, w.observer, 'vault-password-verification-request');
    assert.equal(res.status, 202);
  });

  it('roles: observer may ask; agent token 403; other project 404; no token 401; bad body 400', async () => {
    const agent = await registerAgent(t, w.admin);
    await db().updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', agent.id).execute();
    for (const token of [w.observer, w.creator, w.admin]) assert.equal((await verify(agent, { encrypted_password_hex: 'ab' }, token)).status, 202);
    assert.equal((await verify(agent, { encrypted_password_hex: 'ab' }, agent.token)).status, 403);
    assert.equal((await verify(agent, { encrypted_password_hex: 'ab' }, w.stranger)).status, 404);
    assert.equal((await t.request('POST', agentUrl(agent.id, 'vault-password-verification-requests'), { token: null, body: { encrypted_password_hex: 'ab' } })).status, 401);
    assert.equal((await verify(agent, {})).status, 400);
    assert.equal((await verify({ id: randomUUID() }, { encrypted_password_hex: 'ab' })).status, 404);
  });
});
