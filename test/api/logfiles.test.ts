import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, registerAgent, type World } from '../helpers/fixtures.js';
import { TempUrlSigner } from '../../src/resources/logfiles/logfile-signing.js';
import { itemAt } from '../helpers/indexing.js';

let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const base = (agentId = w.agent.id) => `/v2/${PROJECT}/agents/${agentId}/logfiles`;

async function requestLogfile(agentId = w.agent.id): Promise<string> {
  const res = await t.request('POST', base(agentId), { token: w.admin });
  assert.equal(res.status, 202, res.text);
  return res.body.id;
}

function patch(agentId: string, id: string, ops: unknown, token: string, headers: Record<string, string> = {}) {
  return t.request('PATCH', `${base(agentId)}/${id}`, { token, raw: JSON.stringify(ops), headers: { ...patchHeaders, ...headers } });
}
const setState = (value: string) => [{ op: 'replace', path: '/state', value }];

function upload(agentId: string, id: string, body: Buffer, token: string, contentType: string | null = 'application/gzip') {
  const headers: Record<string, string> = { 'x-auth-token': token };
  if (contentType) headers['content-type'] = contentType;
  return fetch(`${t.url}${base(agentId)}/${id}/content`, { method: 'PUT', headers, body });
}

describe('log files: request', () => {
  it('POST → 202 with a body and Location; a logfile_upload event tells the agent where to upload', async () => {
    const res = await t.request('POST', base(), { token: w.admin });
    assert.equal(res.status, 202, res.text);
    const id = res.body.id;
    assert.equal(res.headers.get('location'), `${t.url}${base()}/${id}`);
    assert.deepEqual(Object.keys(res.body).sort(), ['date', 'id', 'links', 'state']);
    assert.equal(res.body.state, 'requested');
    assert.match(res.body.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(res.body.links, [{ href: `${t.url}${base()}/${id}`, rel: 'self' }]);
    const events = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=desc&limit=5`, { token: w.observer });
    const upload = events.body.events.find((e: { event: string; request_id: string }) => e.event === 'logfile_upload' && e.request_id === id);
    assert.deepEqual(upload.agent, { id: w.agent.id });
    assert.deepEqual(upload.links, [{ href: `${t.url}${base()}/${id}/content`, rel: 'logfile' }]);
  });

  it('accepts the empty application/json body old clients send', async () => {
    const res = await fetch(`${t.url}${base()}`, { method: 'POST', headers: { 'x-auth-token': w.admin, 'content-type': 'application/json; charset=utf-8', 'content-length': '0' } });
    assert.equal(res.status, 202);
  });

  it('roles: admin only; agent token 403; other project 404; no token 401; unknown agent 404', async () => {
    for (const token of [w.observer, w.creator, w.agent.token]) assert.equal((await t.request('POST', base(), { token })).status, 403);
    assert.equal((await t.request('POST', base(), { token: w.stranger })).status, 404);
    assert.equal((await t.request('POST', base(), { token: null })).status, 401);
    const unknown = await t.request('POST', base(randomUUID()), { token: w.admin });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.message, 'Agent not found.');
  });
});

describe('log files: list, get, delete', () => {
  it('list: every item carries links; an agent without log files has an empty list', async () => {
    const id = await requestLogfile();
    const res = await t.request('GET', base(), { token: w.admin });
    assert.equal(res.status, 200);
    assert.ok(res.body.logfiles.length >= 1);
    for (const item of res.body.logfiles) assert.ok(Array.isArray(item.links) && item.links.length >= 1);
    assert.ok(res.body.logfiles.some((l: { id: string }) => l.id === id));
    const fresh = await registerAgent(t, w.admin);
    assert.deepEqual((await t.request('GET', base(fresh.id), { token: w.admin })).body, { logfiles: [] });
  });

  it('list and get roles: admin 200; observer, creator, agent 403; other project 404; no token 401', async () => {
    const id = await requestLogfile();
    for (const url of [base(), `${base()}/${id}`]) {
      assert.equal((await t.request('GET', url, { token: w.admin })).status, 200);
      for (const token of [w.observer, w.creator, w.agent.token]) assert.equal((await t.request('GET', url, { token })).status, 403, url);
      assert.equal((await t.request('GET', url, { token: w.stranger })).status, 404);
      assert.equal((await t.request('GET', url, { token: null })).status, 401);
    }
  });

  it('get: unknown id, or the id under another agent → 404 "Log file not found."', async () => {
    const id = await requestLogfile();
    for (const url of [`${base()}/${randomUUID()}`, `${base(w.otherAgent.id)}/${id}`]) {
      const res = await t.request('GET', url, { token: w.admin });
      assert.equal(res.status, 404);
      assert.equal(res.body.message, 'Log file not found.');
    }
  });

  it('DELETE → 204 and removes the uploaded file; creator 403; then 404', async () => {
    const id = await requestLogfile();
    assert.equal((await upload(w.agent.id, id, gzipSync('bye'), w.agent.token)).status, 204);
    const file = path.join(t.server.ctx.config.dataDir, 'logfiles', w.agent.id, `${id}.gz`);
    assert.ok(fs.existsSync(file));
    assert.equal((await t.request('DELETE', `${base()}/${id}`, { token: w.creator })).status, 403);
    assert.equal((await t.request('DELETE', `${base()}/${id}`, { token: w.agent.token })).status, 403);
    const res = await t.request('DELETE', `${base()}/${id}`, { token: w.admin });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.ok(!fs.existsSync(file));
    assert.equal((await t.request('GET', `${base()}/${id}`, { token: w.admin })).status, 404);
    assert.equal((await t.request('DELETE', `${base()}/${id}`, { token: w.admin })).status, 404);
  });
});

describe('log files: the agent reports by JSON Patch', () => {
  it('requested → started → completed with logfile_started and logfile_completed events; re-sending is a no-op', async () => {
    const id = await requestLogfile();
    assert.equal((await patch(w.agent.id, id, setState('started'), w.agent.token)).status, 204);
    assert.equal((await patch(w.agent.id, id, setState('started'), w.agent.token)).status, 204);
    assert.equal((await patch(w.agent.id, id, setState('completed'), w.agent.token)).status, 204);
    assert.equal((await t.request('GET', `${base()}/${id}`, { token: w.admin })).body.state, 'completed');
    const events = await t.server.ctx.store.db.selectFrom('events').select(['name', 'body']).where('subject_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      events.map((e) => e.name),
      ['logfile_upload', 'logfile_started', 'logfile_completed'],
    );
    assert.deepEqual(JSON.parse(itemAt(events, 1).body), { agent: { id: w.agent.id }, request_id: id });
  });

  it('may skip started; going back or changing a completed log file → 409', async () => {
    const id = await requestLogfile();
    assert.equal((await patch(w.agent.id, id, setState('completed'), w.agent.token)).status, 204);
    const back = await patch(w.agent.id, id, setState('started'), w.agent.token);
    assert.equal(back.status, 409);
    assert.equal(back.body.message, "Modifying a log file that is already in a state of ['completed'] is not allowed.");
    const other = await requestLogfile();
    assert.equal((await patch(w.agent.id, other, setState('started'), w.agent.token)).status, 204);
    assert.equal((await patch(w.agent.id, other, setState('requested'), w.agent.token)).status, 403, 'requested is no state the agent sets');
  });

  it('only replace of /state: add, other paths, other ops and bad values → 400', async () => {
    const id = await requestLogfile();
    const cases: unknown[] = [
      [{ op: 'add', path: '/state', value: 'started' }],
      [{ op: 'replace', path: '/date', value: 'x' }],
      [{ op: 'remove', path: '/state' }],
      [{ op: 'replace', path: '/state', value: 'uploaded' }],
      [{ op: 'replace', path: '/state', value: 1 }],
      { op: 'replace', path: '/state', value: 'started' },
      [{ op: 'replace', path: '/state' }],
    ];
    for (const ops of cases) {
      const res = await patch(w.agent.id, id, ops, w.agent.token);
      assert.equal(res.status, 400, JSON.stringify(ops));
      assert.ok(res.body.message.length > 0);
    }
    const malformed = await t.request('PATCH', `${base()}/${id}`, { token: w.agent.token, raw: '[{"op":', headers: patchHeaders });
    assert.equal(malformed.status, 400);
    assert.equal((await t.request('GET', `${base()}/${id}`, { token: w.admin })).body.state, 'requested');
  });

  it('test operations: a failing test → 409 and nothing changes; a passing one applies', async () => {
    const id = await requestLogfile();
    const failing = await patch(w.agent.id, id, [{ op: 'test', path: '/state', value: 'started' }, ...setState('completed')], w.agent.token);
    assert.equal(failing.status, 409);
    assert.equal((await patch(w.agent.id, id, [{ op: 'test', path: '/state', value: 'requested' }, ...setState('started')], w.agent.token)).status, 204);
    assert.equal((await t.request('GET', `${base()}/${id}`, { token: w.admin })).body.state, 'started');
  });

  it('actors: a user 403, another agent 404, an observer 403, a user with X-Agent-Id of the agent 403', async () => {
    const id = await requestLogfile();
    assert.equal((await patch(w.agent.id, id, setState('started'), w.admin)).status, 403);
    assert.equal((await patch(w.agent.id, id, setState('started'), w.otherAgent.token)).status, 404);
    assert.equal((await patch(w.agent.id, id, setState('started'), w.observer, { 'x-agent-id': w.agent.id })).status, 403);
    assert.equal((await patch(w.agent.id, id, setState('started'), w.stranger)).status, 404);
    assert.equal((await patch(w.agent.id, id, setState('started'), w.creator, { 'x-agent-id': w.agent.id })).status, 403);
    assert.equal((await patch(w.agent.id, id, setState('started'), w.agent.token, { 'x-agent-id': w.agent.id })).status, 204);
    assert.equal((await t.request('PATCH', `${base()}/${id}`, { token: null, raw: JSON.stringify(setState('completed')), headers: patchHeaders })).status, 401);
    assert.equal((await patch(w.agent.id, randomUUID(), setState('started'), w.agent.token)).status, 404);
  });
});

describe('log files: upload and signed download', () => {
  it('the agent PUTs the gzip file; the log file then links it and a signed temp URL that needs no token', async () => {
    const id = await requestLogfile();
    const content = gzipSync('2026-12-02 07:00:00 INFO agent started\n'.repeat(1000));
    const res = await upload(w.agent.id, id, content, w.agent.token);
    assert.equal(res.status, 204, await res.text());
    const stored = path.join(t.server.ctx.config.dataDir, 'logfiles', w.agent.id, `${id}.gz`);
    assert.deepEqual(fs.readFileSync(stored), content);
    assert.deepEqual(
      fs.readdirSync(path.dirname(stored)).filter((f) => f.endsWith('.tmp')),
      [],
    );
    const detail = await t.request('GET', `${base()}/${id}`, { token: w.admin });
    const rels = detail.body.links.map((l: { rel: string }) => l.rel);
    assert.deepEqual(rels, ['self', 'logfile', 'logfile_temp_url']);
    assert.equal(detail.body.links[1].href, `${t.url}${base()}/${id}/content`);
    const tempUrl: string = detail.body.links[2].href;
    assert.match(tempUrl, /\?temp_url_sig=[0-9a-f]{64}&temp_url_expires=\d+$/);
    const download = await fetch(tempUrl);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/gzip');
    assert.match(gunzipSync(Buffer.from(await download.arrayBuffer())).toString(), /agent started/);
    const listed = await t.request('GET', base(), { token: w.admin });
    assert.ok(listed.body.logfiles.find((l: { id: string }) => l.id === id).links.some((l: { rel: string }) => l.rel === 'logfile_temp_url'));
  });

  it('a wrong, missing or expired signature → 401; a log file not uploaded yet → 404', async () => {
    const id = await requestLogfile();
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.agent.token)).status, 204);
    const good = (await t.request('GET', `${base()}/${id}`, { token: w.admin })).body.links[2].href as string;
    const tampered = good.replace(/temp_url_sig=(.)/, (_m, c) => `temp_url_sig=${c === 'a' ? 'b' : 'a'}`);
    assert.equal((await fetch(tampered)).status, 401);
    assert.equal((await fetch(good.split('?')[0]!)).status, 401);
    const signer = new TempUrlSigner(t.server.ctx.store);
    const contentPath = `/v2/${PROJECT}/agents/${w.agent.id}/logfiles/${id}/content`;
    const old = await signer.sign(contentPath, Math.floor(Date.now() / 1000) - 7200);
    const expired = await fetch(`${t.url}${contentPath}?temp_url_sig=${old.sig}&temp_url_expires=${old.expires}`);
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { message: string }).message, /expired/);
    const pending = await requestLogfile();
    const signed = await signer.sign(`/v2/${PROJECT}/agents/${w.agent.id}/logfiles/${pending}/content`);
    assert.equal((await fetch(`${t.url}${base()}/${pending}/content?temp_url_sig=${signed.sig}&temp_url_expires=${signed.expires}`)).status, 404);
  });

  it('refuses a file that is not gzip (400), a wrong content type (415), more than 64 MiB (413)', async () => {
    const id = await requestLogfile();
    assert.equal((await upload(w.agent.id, id, Buffer.from('plain text'), w.agent.token)).status, 400);
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.agent.token, 'text/plain')).status, 415);
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.agent.token, null)).status, 204, 'no content type is fine');
    const huge = Buffer.alloc(64 * 1024 * 1024 + 1);
    huge[0] = 0x1f;
    huge[1] = 0x8b;
    const res = await upload(w.agent.id, id, huge, w.agent.token);
    assert.equal(res.status, 413);
    const dir = path.join(t.server.ctx.config.dataDir, 'logfiles', w.agent.id);
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('only the agent uploads; a completed log file cannot be uploaded again (409)', async () => {
    const id = await requestLogfile();
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.admin)).status, 403);
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.otherAgent.token)).status, 404);
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.stranger)).status, 404);
    assert.equal((await upload(w.agent.id, randomUUID(), gzipSync('x'), w.agent.token)).status, 404);
    assert.equal((await patch(w.agent.id, id, setState('completed'), w.agent.token)).status, 204);
    assert.equal((await upload(w.agent.id, id, gzipSync('x'), w.agent.token)).status, 409);
  });
});
