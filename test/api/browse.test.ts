import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, PROJECT, type World } from '../helpers/fixtures.js';
import { insertJob } from '../../src/resources/jobs/job-insert.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const hostUrl = (agentId = w.agent.id, ...rest: string[]) => [`/v2/${PROJECT}/agents/${agentId}/browse-requests`, ...rest].join('/');
const backupUrl = (backupId: string, ...rest: string[]) => [`/v2/${PROJECT}/backups/${backupId}/browse-requests`, ...rest].join('/');
const listing = {
  succeeded: true,
  path: '/etc/',
  path_encoded: null,
  items: [
    { name: 'hosts', name_encoded: null, bytes: 210, mime_type: 'text/plain' },
    { name: 'initrd.img', bytes: 0, mime_type: 'application/x-symlink-file' },
  ],
};

async function backupIn(state: string, snapshotId: number | null, agentId = w.agent.id): Promise<string> {
  const job = await t.server.ctx.store.transaction((tx) => insertJob(tx, { projectId: PROJECT, kind: 'backup', agentId, state: 'start_requested' }));
  await t.server.ctx.store.db.updateTable('jobs').set({ state, snapshot_id: snapshotId }).where('id', '=', job.id).execute();
  return job.id;
}

async function latestEvent(agentId: string, name: string) {
  const events = (await t.request('GET', `/v2/${PROJECT}/agents/${agentId}/events?sort_dir=desc&limit=20`, { token: w.admin })).body.events;
  return events.find((e: { event: string }) => e.event === name);
}

describe('browse: host', () => {
  it('POST → 202 + Location and host_browse; the result is 404 until the agent answers, then the listing', async () => {
    const res = await t.request('POST', hostUrl(), { token: w.creator, body: { path: '/etc/' } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.text, '');
    const requestId = res.headers.get('location')!.split('/').pop()!;
    assert.equal(res.headers.get('location'), `${t.url}${hostUrl(w.agent.id, requestId)}`);
    const event = await latestEvent(w.agent.id, 'host_browse');
    assert.deepEqual([event.agent, event.request_id, event.path, event.path_encoded], [{ id: w.agent.id }, requestId, '/etc/', null]);
    const pending = await t.request('GET', hostUrl(w.agent.id, requestId), { token: w.creator });
    assert.equal(pending.status, 404);
    const report = await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.agent.token, body: listing });
    assert.equal(report.status, 204, report.text);
    const result = await t.request('GET', hostUrl(w.agent.id, requestId), { token: w.creator });
    assert.equal(result.status, 200);
    assert.equal(result.body.event, 'host_browsed');
    assert.match(result.body.id, /^\d{10}$/);
    assert.deepEqual(
      { agent: result.body.agent, request_id: result.body.request_id, succeeded: result.body.succeeded, path: result.body.path, items: result.body.items },
      { agent: { id: w.agent.id }, request_id: requestId, succeeded: true, path: '/etc/', items: listing.items },
    );
    assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.agent.token, body: listing })).status, 409, 'answered once');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/browse-request/${requestId}`, { token: w.creator })).status, 200, 'singular alias');
  });

  it('bad bodies → 400; the listing must be well-formed', async () => {
    for (const body of [{}, { path: '' }, { path: 3 }, { path: '/', path_encoded: '***' }]) {
      assert.equal((await t.request('POST', hostUrl(), { token: w.creator, body })).status, 400, JSON.stringify(body));
    }
    const created = await t.request('POST', `/v2/${PROJECT}/agents/${w.agent.id}/browse-request`, { token: w.creator, body: { path: '/', path_encoded: 'Lw==' } });
    assert.equal(created.status, 202, 'singular alias');
    const requestId = created.headers.get('location')!.split('/').pop()!;
    for (const body of [{ path: '/' }, { succeeded: true }, { succeeded: true, path: '/', items: [{ name: 'x', bytes: -1, mime_type: 'a' }] }, { succeeded: true, path: '/', items: 'x' }]) {
      assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.agent.token, body })).status, 400, JSON.stringify(body));
    }
  });

  it("an agent's listing is hostile input: names that are not one path component, repeated names and odd paths → 400", async () => {
    const item = (name: string, extra: Record<string, unknown> = {}) => ({ name, bytes: 1, mime_type: 'application/octet-stream', ...extra });
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const bad = [
      { succeeded: true, path: '/etc/', items: [item('..')] },
      { succeeded: true, path: '/etc/', items: [item('.')] },
      { succeeded: true, path: '/etc/', items: [item('')] },
      { succeeded: true, path: '/etc/', items: [item('a/b')] },
      { succeeded: true, path: '/etc/', items: [item('nul\u0000')] },
      { succeeded: true, path: '/etc/', items: [item('twice'), item('twice')] },
      { succeeded: true, path: '/etc/', items: [item('innocent', { name_encoded: b64('../x') })] },
      { succeeded: true, path: '/etc/', items: [item('innocent', { name_encoded: '%%%' })] },
      { succeeded: true, path: '/etc/../root/', items: [] },
      { succeeded: true, path: 'etc/', items: [] },
      { succeeded: true, path: '/etc/', path_encoded: b64('/etc/../root'), items: [] },
    ];
    for (const body of bad) {
      const created = await t.request('POST', hostUrl(), { token: w.creator, body: { path: '/etc/' } });
      const requestId = created.headers.get('location')!.split('/').pop()!;
      const answer = await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.agent.token, body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal((await t.request('GET', hostUrl(w.agent.id, requestId), { token: w.creator })).status, 404, 'nothing was kept');
    }
    const created = await t.request('POST', hostUrl(), { token: w.creator, body: { path: '/srv/' } });
    const requestId = created.headers.get('location')!.split('/').pop()!;
    const odd = Buffer.from([0x6f, 0x64, 0x64, 0xff]);
    const fine = { succeeded: true, path: '/srv/', items: [item('..hidden'), item('odd\ufffd', { name_encoded: odd.toString('base64') }), item('odd\ufffd-2')] };
    assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.agent.token, body: fine })).status, 204);
  });

  it('roles: creator and admin ask, observer 403, agent 403; only the agent answers; other project 404; no token 401', async () => {
    assert.equal((await t.request('POST', hostUrl(), { token: w.admin, body: { path: '/' } })).status, 202);
    assert.equal((await t.request('POST', hostUrl(), { token: w.observer, body: { path: '/' } })).status, 403);
    assert.equal((await t.request('POST', hostUrl(), { token: w.agent.token, body: { path: '/' } })).status, 403);
    assert.equal((await t.request('POST', hostUrl(), { token: w.stranger, body: { path: '/' } })).status, 404);
    assert.equal((await t.request('POST', hostUrl(), { token: null, body: { path: '/' } })).status, 401);
    assert.equal((await t.request('POST', hostUrl(randomUUID()), { token: w.creator, body: { path: '/' } })).status, 404);
    const created = await t.request('POST', hostUrl(), { token: w.creator, body: { path: '/' } });
    const requestId = created.headers.get('location')!.split('/').pop()!;
    assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.creator, body: listing })).status, 403);
    assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.otherAgent.token, body: listing })).status, 404);
    assert.equal((await t.request('POST', hostUrl(w.otherAgent.id, requestId), { token: w.otherAgent.token, body: listing })).status, 404, "another agent's request");
    assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.creator, body: listing, headers: { 'x-agent-id': w.agent.id } })).status, 403);
    assert.equal((await t.request('POST', hostUrl(w.agent.id, requestId), { token: w.agent.token, body: listing, headers: { 'x-agent-id': w.agent.id } })).status, 204);
    assert.equal((await t.request('GET', hostUrl(w.agent.id, requestId), { token: w.observer })).status, 403);
    assert.equal((await t.request('GET', hostUrl(w.agent.id, requestId), { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', hostUrl(w.agent.id, requestId), { token: null })).status, 401);
    assert.deepEqual((await t.request('GET', hostUrl(w.agent.id, randomUUID()), { token: w.creator })).body, { message: 'Browse request not found.' });
  });
});

describe('browse: backup', () => {
  it('POST → 202 + Location on the backup; backup_browse reaches the browsing agent; its answer is the result', async () => {
    const backupId = await backupIn('completed', 1111);
    const res = await t.request('POST', backupUrl(backupId), { token: w.observer, body: { agent_id: w.otherAgent.id, encrypted_password_hex: null, path: '/web/' } });
    assert.equal(res.status, 202, res.text);
    const requestId = res.headers.get('location')!.split('/').pop()!;
    assert.equal(res.headers.get('location'), `${t.url}${backupUrl(backupId, requestId)}`);
    const event = await latestEvent(w.otherAgent.id, 'backup_browse');
    assert.equal(event.request_id, requestId);
    assert.deepEqual(event.agent, { id: w.otherAgent.id, vault: { id: w.agent.vaultId, encrypted: false } });
    assert.deepEqual(event.backup, { id: backupId, snapshot_id: 1111 });
    assert.equal(event.path, '/web/');
    assert.equal(event.encrypted_password_hex, null);
    assert.equal((await t.request('GET', backupUrl(backupId, requestId), { token: w.observer })).status, 404);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/agents/${w.otherAgent.id}/browse-requests/${requestId}`, { token: w.otherAgent.token, body: { ...listing, path: '/web/' } })).status, 204);
    const result = await t.request('GET', backupUrl(backupId, requestId), { token: w.observer });
    assert.equal(result.status, 200);
    assert.equal(result.body.event, 'backup_browsed');
    assert.equal(result.body.path, '/web/');
    assert.equal((await t.request('GET', `/v2/${PROJECT}/backups/${backupId}/browse-request/${requestId}`, { token: w.observer })).status, 200, 'singular alias');
    assert.equal((await t.request('GET', backupUrl(await backupIn('completed', 2), requestId), { token: w.observer })).status, 404, 'another backup');
  });

  it('409 without a snapshot; 400 for a bad body, an unknown agent or a missing password of an encrypted vault', async () => {
    const running = await backupIn('in_progress', null);
    assert.equal((await t.request('POST', backupUrl(running), { token: w.creator, body: { agent_id: w.agent.id, path: '/' } })).status, 409);
    const done = await backupIn('completed_with_errors', 7, w.otherAgent.id);
    for (const body of [{ path: '/' }, { agent_id: w.agent.id }, { agent_id: randomUUID(), path: '/' }, { agent_id: w.agent.id, path: '/', encrypted_password_hex: 5 }]) {
      assert.equal((await t.request('POST', backupUrl(done), { token: w.creator, body })).status, 400, JSON.stringify(body));
    }
    await t.server.ctx.store.db.updateTable('agents').set({ vault_encrypted: 1 }).where('id', '=', w.otherAgent.id).execute();
    try {
      assert.equal((await t.request('POST', backupUrl(done), { token: w.creator, body: { agent_id: w.agent.id, path: '/' } })).status, 400);
      assert.equal((await t.request('POST', backupUrl(done), { token: w.creator, body: { agent_id: w.agent.id, path: '/', encrypted_password_hex: 'ab' } })).status, 202);
    } finally {
      await t.server.ctx.store.db.updateTable('agents').set({ vault_encrypted: 0 }).where('id', '=', w.otherAgent.id).execute();
    }
  });

  it('roles: observer may ask and read; agent 403; other project 404; no token 401; unknown backup 404', async () => {
    const backupId = await backupIn('completed', 3);
    const body = { agent_id: w.agent.id, path: '/' };
    for (const token of [w.observer, w.creator, w.admin]) assert.equal((await t.request('POST', backupUrl(backupId), { token, body })).status, 202);
    assert.equal((await t.request('POST', backupUrl(backupId), { token: w.agent.token, body })).status, 403);
    assert.equal((await t.request('POST', backupUrl(backupId), { token: w.stranger, body })).status, 404);
    assert.equal((await t.request('POST', backupUrl(backupId), { token: null, body })).status, 401);
    const missing = await t.request('POST', backupUrl(randomUUID()), { token: w.creator, body });
    assert.deepEqual(missing.body, { message: 'Backup not found.' });
    const created = await t.request('POST', backupUrl(backupId), { token: w.creator, body });
    const url = new URL(created.headers.get('location')!).pathname;
    assert.equal((await t.request('GET', url, { token: w.agent.token })).status, 403);
    assert.equal((await t.request('GET', url, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', url, { token: null })).status, 401);
  });
});
