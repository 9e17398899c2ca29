import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, OTHER_PROJECT, PROJECT, type World } from '../helpers/fixtures.js';

let t: TestServer;
let w: World;
let engine: string;

before(async () => {
  t = await startTestServer();
  w = await buildWorld(t);
  engine = t.server.ctx.store.capabilities.engine === 'postgres' ? 'postgresql' : 'sqlite';
});
after(async () => t.close());

describe('health', () => {
  it('GET /health reports storage and transport with self links; 200 while all are online', async () => {
    const res = await t.request('GET', `/v2/${PROJECT}/health`, { token: w.observer });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['notifications', 'storage', 'transport']);
    // No COFFER_SMTP_URL in this server: health says, clearly, that nothing is mailed (and that is not an outage).
    assert.equal(res.body.notifications.email.online, true);
    assert.equal(res.body.notifications.email.configured, false);
    assert.match(res.body.notifications.email.message, /not sent: COFFER_SMTP_URL is not set/);
    assert.deepEqual(res.body.storage[engine], { online: true, links: [{ href: `${t.url}/v2/${PROJECT}/health/storage/${engine}`, rel: 'self' }] });
    assert.equal(res.body.transport.http.online, true);
    assert.equal(typeof res.body.transport.http.node, 'string');
    assert.deepEqual(res.body.transport.http.links, [{ href: `${t.url}/v2/${PROJECT}/health/transport/http`, rel: 'self' }]);
  });

  it('GET /health/{dependent_system} in both spellings; unknown → 404', async () => {
    for (const path of [engine, `storage/${engine}`]) {
      const res = await t.request('GET', `/v2/${PROJECT}/health/${path}`, { token: w.observer });
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body, { online: true, links: [{ href: `${t.url}/v2/${PROJECT}/health/storage/${engine}`, rel: 'self' }] });
    }
    assert.equal((await t.request('GET', `/v2/${PROJECT}/health/transport/http`, { token: w.observer })).body.online, true);
    const unknown = await t.request('GET', `/v2/${PROJECT}/health/cassandra`, { token: w.observer });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message, /cassandra/);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/health/storage/http`, { token: w.observer })).status, 404);
  });

  it('roles: every role reads health; other project 404; no token 401', async () => {
    for (const token of [w.observer, w.creator, w.admin, w.agent.token]) assert.equal((await t.request('GET', `/v2/${PROJECT}/health`, { token })).status, 200);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/health`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/health`, { token: null })).status, 401);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/health/${engine}`, { token: null })).status, 401);
  });

  it('503 with online:false when the database is down', async () => {
    const broken = await startTestServer();
    try {
      await broken.server.ctx.store.close();
      const all = await broken.request('GET', `/v2/${PROJECT}/health`, { token: ADMIN_TOKEN });
      assert.equal(all.status, 503);
      assert.equal(all.body.storage[engine].online, false);
      assert.equal(all.body.transport.http.online, true);
      const one = await broken.request('GET', `/v2/${PROJECT}/health/storage/${engine}`, { token: ADMIN_TOKEN });
      assert.equal(one.status, 503);
      assert.equal(one.body.online, false);
      // Any other token needs the database: 503, not 500.
      const user = await broken.request('GET', `/v2/${PROJECT}/health`, { token: 'a-token-only-the-database-could-tell' });
      assert.equal(user.status, 503, user.text);
    } finally {
      await broken.server.close().catch(() => undefined);
      await broken.database.drop().catch(() => undefined);
    }
  });
});

describe('summary settings', () => {
  const url = `/v2/${PROJECT}/settings/summaries`;
  const settings = {
    daily: true,
    weekly: false,
    notifications: [
      { type: 'email', destination: 'email1@example.com' },
      { type: 'email', destination: 'email2@example.com' },
    ],
  };

  it('defaults before any PUT; PUT → 204 replaces; GET returns what was put; omitted flags are false', async () => {
    const other = `/v2/${OTHER_PROJECT}/settings/summaries`;
    assert.deepEqual((await t.request('GET', other, { token: w.stranger })).body, { daily: false, weekly: false, notifications: [] });
    const put = await t.request('PUT', url, { token: w.creator, body: settings });
    assert.equal(put.status, 204, put.text);
    assert.equal(put.text, '');
    assert.deepEqual((await t.request('GET', url, { token: w.observer })).body, settings);
    assert.equal((await t.request('PUT', url, { token: w.creator, body: { weekly: true, notifications: [] } })).status, 204);
    assert.deepEqual((await t.request('GET', url, { token: w.observer })).body, { daily: false, weekly: true, notifications: [] });
    assert.deepEqual((await t.request('GET', other, { token: w.stranger })).body.notifications, [], 'projects are separate');
  });

  it('validation: notifications required, each with type email and an address; flags boolean → 400 naming the path', async () => {
    const cases: [unknown, RegExp][] = [
      [{ daily: true }, /notifications is required/],
      [{ notifications: 'a@b.c' }, /notifications must be an array/],
      [{ notifications: [{ destination: 'a@b.co' }] }, /notifications\[0\]\.type is required/],
      [{ notifications: [{ type: 'sms', destination: 'a@b.co' }] }, /notifications\[0\]\.type must be email/],
      [{ notifications: [{ type: 'email' }] }, /notifications\[0\]\.destination is required/],
      [{ notifications: [{ type: 'email', destination: 'not-an-address' }] }, /destination must be an e-mail address/],
      [{ daily: 'yes', notifications: [] }, /daily must be true or false/],
      [[], /must be a JSON object/],
    ];
    for (const [body, pattern] of cases) {
      const res = await t.request('PUT', url, { token: w.creator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.message, 'Validation failed.');
      assert.match(res.body.errors.join(' '), pattern);
    }
    assert.equal((await t.request('PUT', url, { token: w.creator, raw: '{"notifications": [' })).status, 400);
  });

  it('roles: observer reads but may not write (403); agent 403; other project 404; no token 401', async () => {
    const body = { notifications: [] };
    assert.equal((await t.request('GET', url, { token: w.observer })).status, 200);
    assert.equal((await t.request('PUT', url, { token: w.observer, body })).status, 403);
    assert.equal((await t.request('PUT', url, { token: w.agent.token, body })).status, 403);
    assert.equal((await t.request('PUT', url, { token: w.admin, body })).status, 204);
    assert.equal((await t.request('GET', url, { token: w.stranger })).status, 404);
    assert.equal((await t.request('PUT', url, { token: w.stranger, body })).status, 404);
    assert.equal((await t.request('GET', url, { token: null })).status, 401);
    assert.equal((await t.request('PUT', url, { token: null, body })).status, 401);
  });
});
