import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, patchHeaders, PROJECT, type World } from '../helpers/fixtures.js';

/** What existing clients (the Python SDK, old agents, curl scripts) send, answered as they expect (docs/reference/rackspace-cloud-backup-v2.md §5, §6.1). */
let t: TestServer;
let w: World;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
});
after(async () => t.close());

const sdkHeaders = (token: string) => ({ 'x-auth-token': token, 'content-type': 'application/json; charset=utf-8' });

describe('compat: URLs', () => {
  it('trailing slashes: the SDK polls …/agents/{id}/events/', async () => {
    const res = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events/`, { token: w.observer });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body.events));
    assert.equal((await t.request('GET', `/v2/${PROJECT}/events/`, { token: w.observer })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/status/`, { token: w.observer })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/settings/summaries/`, { token: w.observer })).status, 200);
  });

  it('X-Project-Id instead of the path segment; links still carry the project; a mismatch is 400', async () => {
    const res = await t.request('GET', `/v2/agents/${w.agent.id}/events?limit=1`, { token: w.observer, headers: { 'x-project-id': PROJECT } });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.links.every((l: { href: string }) => l.href.startsWith(`${t.url}/v2/${PROJECT}/agents/`)));
    assert.equal((await t.request('GET', `/v2/events`, { token: w.observer })).status, 200, 'the token names the project');
    assert.equal((await t.request('GET', `/v2/agents/${w.agent.id}/status`, { token: w.observer, headers: { 'x-project-id': PROJECT } })).status, 200);
    const mismatch = await t.request('GET', `/v2/${PROJECT}/events`, { token: w.observer, headers: { 'x-project-id': '999' } });
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body.message, /X-Project-Id/);
    assert.equal((await t.request('GET', `/v2/events`, { token: w.observer, headers: { 'x-project-id': '999' } })).status, 404, 'another project');
  });

  it('a .json suffix and doubled slashes are tolerated', async () => {
    assert.equal((await t.request('GET', `/v2/${PROJECT}/events.json`, { token: w.observer })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}//agents/${w.agent.id}/status`, { token: w.observer })).status, 200);
  });
});

describe('compat: bodies and content types', () => {
  it('empty bodies with application/json and Content-Length 0 (SDK): POST logfiles 202, DELETE agent 204', async () => {
    const logfile = await fetch(`${t.url}/v2/${PROJECT}/agents/${w.agent.id}/logfiles`, { method: 'POST', headers: { ...sdkHeaders(w.admin), 'content-length': '0' } });
    assert.equal(logfile.status, 202);
    assert.match(((await logfile.json()) as { id: string }).id, /^[0-9a-f-]{36}$/);
    const created = await t.request('POST', `/v2/${PROJECT}/agents`, {
      token: w.admin,
      body: {
        name: 'x',
        version: '1',
        host: { flavor: 'nova', region: null, machine: { id: 'm' }, os: { name: 'L', version: '1', architecture: '64-bit' }, fingerprint: 'f', addresses: [] },
        rsa_public_key: { modulus: 'AB', exponent: 10001 },
      },
    });
    assert.equal(created.status, 201, created.text);
    const deleted = await fetch(`${t.url}/v2/${PROJECT}/agents/${created.body.id}`, { method: 'DELETE', headers: { ...sdkHeaders(w.admin), 'content-length': '0' } });
    assert.equal(deleted.status, 204);
  });

  it('GETs that carry a JSON content type and no body are fine', async () => {
    const res = await fetch(`${t.url}/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=asc`, { headers: sdkHeaders(w.observer) });
    assert.equal(res.status, 200);
  });

  it('an empty body where one is required → 400, not a crash', async () => {
    const res = await fetch(`${t.url}/v2/${PROJECT}/events`, { method: 'POST', headers: { ...sdkHeaders(w.observer), 'content-length': '0' } });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { message: string }).message, 'Validation failed.');
  });

  it("the SDK's WakeAgents: POST /events agent_activate active with application/json; charset=utf-8 → 202", async () => {
    const res = await fetch(`${t.url}/v2/events`, {
      method: 'POST',
      headers: { ...sdkHeaders(w.creator), 'x-project-id': PROJECT },
      body: JSON.stringify({ event: 'agent_activate', mode: 'active' }),
    });
    assert.equal(res.status, 202);
  });

  it('PATCH as application/json or application/json-patch+json', async () => {
    const ops = JSON.stringify([{ op: 'replace', path: '/log_level', value: 'warn' }]);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/agents/${w.agent.id}`, { token: w.creator, raw: ops })).status, 204);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/agents/${w.agent.id}`, { token: w.creator, raw: ops, headers: patchHeaders })).status, 204);
  });

  it('malformed JSON → 400 with a plain message, never a 5xx', async () => {
    for (const [method, path] of [
      ['POST', `/v2/${PROJECT}/events`],
      ['POST', `/v2/${PROJECT}/agents/${w.agent.id}/events`],
      ['PATCH', `/v2/${PROJECT}/agents/${w.agent.id}`],
      ['PUT', `/v2/${PROJECT}/settings/summaries`],
      ['POST', `/v2/${PROJECT}/agents/${w.agent.id}/browse-requests`],
    ] as const) {
      const res = await t.request(method, path, { token: w.admin, raw: '{"event": ' });
      assert.equal(res.status, 400, `${method} ${path}`);
      assert.deepEqual(Object.keys(res.body), ['message']);
    }
  });

  it('bodies over 1 MB → 413; an upload of the wrong type → 415', async () => {
    const big = JSON.stringify({ event: 'agent_activate', mode: 'active', padding: 'x'.repeat(1024 * 1024) });
    const res = await t.request('POST', `/v2/${PROJECT}/events`, { token: w.observer, raw: big });
    assert.equal(res.status, 413);
    assert.ok(typeof res.body.message === 'string');
    const logfile = await t.request('POST', `/v2/${PROJECT}/agents/${w.agent.id}/logfiles`, { token: w.admin });
    const upload = await fetch(`${t.url}/v2/${PROJECT}/agents/${w.agent.id}/logfiles/${logfile.body.id}/content`, {
      method: 'PUT',
      headers: { 'x-auth-token': w.agent.token, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(upload.status, 415);
  });
});

describe('compat: unknown routes and methods', () => {
  it('a wrong method on a known path → 405 with Allow', async () => {
    const res = await t.request('PUT', `/v2/${PROJECT}/events`, { token: w.admin, body: {} });
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow') ?? '', /GET/);
    assert.match(res.headers.get('allow') ?? '', /POST/);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/agents/${w.agent.id}/status`, { token: w.admin })).status, 405);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/settings/summaries`, { token: w.admin, body: {} })).status, 405);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/health`, { token: w.admin })).status, 405);
  });

  it('an unknown path → 404 with the v2 body', async () => {
    const res = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/nothing-here`, { token: w.admin });
    assert.equal(res.status, 404);
    assert.ok(typeof res.body.message === 'string');
  });
});

describe('compat: event ids', () => {
  it('event ids are digit strings of one length that sort as text in creation order', async () => {
    const res = await t.request('GET', `/v2/${PROJECT}/events?limit=1000&sort_dir=asc`, { token: w.admin });
    const ids: string[] = res.body.events.map((e: { id: string }) => e.id);
    assert.ok(ids.length > 3);
    assert.ok(ids.every((id) => /^\d{10}$/.test(id)));
    assert.deepEqual([...ids].sort(), ids);
  });
});
