// The webhooks resource: validation (nothing stored on bad input), roles, project isolation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildWorld, OTHER_PROJECT, PROJECT, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let w: World;
const SECRET = 'a-secret-of-24-bytes-ok!';

describe('webhooks', { timeout: 60_000 }, () => {
  before(async () => {
    t = await startTestServer();
    w = await buildWorld(t);
  });
  after(async () => t?.close());

  const count = async () => (await t.request('GET', `/v2/${PROJECT}/webhooks`, { token: w.admin })).body.webhooks.length;

  it('bad input → 400 naming the field, and nothing is stored', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: 'ftp://example.com/hook', event_types: ['backup.failed'], secret: SECRET }, /url must use http or https/],
      [{ url: 'file:///etc/passwd', event_types: ['backup.failed'], secret: SECRET }, /url must use http or https/],
      [{ url: 'not a url', event_types: ['backup.failed'], secret: SECRET }, /url must be an absolute http or https URL/],
      [{ url: 'http://169.254.169.254/latest/meta-data', event_types: ['backup.failed'], secret: SECRET }, /url must not point at a link-local/],
      [{ url: 'http://169.254.1.2:8080/', event_types: ['backup.failed'], secret: SECRET }, /url must not point at a link-local/],
      [{ url: 'http://[fe80::1]/hook', event_types: ['backup.failed'], secret: SECRET }, /url must not point at a link-local/],
      [{ url: 'http://[::ffff:169.254.169.254]/hook', event_types: ['backup.failed'], secret: SECRET }, /url must not point at a link-local/],
      [{ url: 'http://metadata.google.internal/computeMetadata/v1/', event_types: ['backup.failed'], secret: SECRET }, /url must not point at a link-local/],
      [{ url: 'https://user:pw@example.com/hook', event_types: ['backup.failed'], secret: SECRET }, /url must not carry a user name/],
      [{ url: 'https://example.com/hook', event_types: ['backup.failed'], secret: 'short-secret' }, /secret must be at least 16 bytes/],
      [{ url: 'https://example.com/hook', event_types: ['backup.exploded'], secret: SECRET }, /event_types\[0\] must be one of/],
      [{ url: 'https://example.com/hook', event_types: [], secret: SECRET }, /event_types must name at least one/],
      [{ url: 'https://example.com/hook', secret: SECRET }, /event_types is required/],
      [{ event_types: ['backup.failed'], secret: SECRET }, /url is required/],
      [{ url: 'https://example.com/hook', event_types: ['backup.failed'], secret: SECRET, colour: 'red' }, /colour is not a webhook field/],
    ];
    for (const [body, message] of cases) {
      const res = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.admin, body });
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
      assert.ok(
        res.body.errors.some((e: string) => message.test(e)),
        `${JSON.stringify(body)} → ${res.text}`,
      );
    }
    assert.equal(await count(), 0);
  });

  it('a notification address that is not an e-mail address → 400 naming it, no configuration stored', async () => {
    const before = (await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.admin })).body.configurations?.length ?? 0;
    const res = await t.request('POST', `/v2/${PROJECT}/configurations`, {
      token: w.creator,
      body: {
        agent_id: w.agent.id,
        name: 'Bad mail',
        enabled: true,
        schedule: null,
        retention: { days: 30 },
        inclusions: [{ type: 'folder', path: '/srv/' }],
        exclusions: [],
        notifications: [{ type: 'email', destination: 'not-an-address', on_success: false, on_failure: true }],
      },
    });
    assert.equal(res.status, 400);
    assert.ok(
      res.body.errors.some((e: string) => /notifications\[0\]\.destination must be an e-mail address/.test(e)),
      res.text,
    );
    const after = (await t.request('GET', `/v2/${PROJECT}/configurations`, { token: w.admin })).body.configurations?.length ?? 0;
    assert.equal(after, before);
  });

  it('PATCH validates the same way and changes nothing on bad input', async () => {
    const created = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.creator, body: { url: 'https://example.com/a', event_types: ['backup.failed'], secret: SECRET } });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    for (const body of [{ url: 'http://169.254.169.254/' }, { secret: 'tiny' }, { event_types: ['nope'] }, { url: 'https://example.com/b', event_types: ['nope'] }, {}]) {
      const res = await t.request('PATCH', `/v2/${PROJECT}/webhooks/${id}`, { token: w.creator, body });
      assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
    }
    const unchanged = await t.request('GET', `/v2/${PROJECT}/webhooks/${id}`, { token: w.creator });
    assert.equal(unchanged.body.url, 'https://example.com/a');
    assert.deepEqual(unchanged.body.event_types, ['backup.failed']);
    const changed = await t.request('PATCH', `/v2/${PROJECT}/webhooks/${id}`, {
      token: w.admin,
      body: { url: 'https://example.com/b', event_types: ['backup.failed', 'agent.offline'], enabled: false },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.url, 'https://example.com/b');
    assert.equal(changed.body.enabled, false);
    assert.equal(changed.body.secret, SECRET);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/webhooks/${id}`, { token: w.admin })).status, 204);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/webhooks/${id}`, { token: w.admin })).status, 404);
  });

  it('roles: creator and admin manage; observers read without the secret; agents may not manage; other projects see 404', async () => {
    const created = await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.creator, body: { url: 'https://example.com/r', event_types: ['backup.missed'], secret: SECRET } });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const asObserver = await t.request('GET', `/v2/${PROJECT}/webhooks/${id}`, { token: w.observer });
    assert.equal(asObserver.status, 200);
    assert.equal(asObserver.body.secret, undefined);
    assert.ok(!asObserver.text.includes(SECRET));
    const list = await t.request('GET', `/v2/${PROJECT}/webhooks`, { token: w.observer });
    assert.ok(!list.text.includes(SECRET));
    assert.equal((await t.request('GET', `/v2/${PROJECT}/webhooks/${id}`, { token: w.agent.token })).body.secret, undefined);
    const body = { url: 'https://example.com/x', event_types: ['backup.failed'], secret: SECRET };
    assert.equal((await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.observer, body })).status, 403);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/webhooks`, { token: w.agent.token, body })).status, 403);
    assert.equal((await t.request('PATCH', `/v2/${PROJECT}/webhooks/${id}`, { token: w.observer, body: { enabled: false } })).status, 403);
    assert.equal((await t.request('DELETE', `/v2/${PROJECT}/webhooks/${id}`, { token: w.observer })).status, 403);
    assert.equal((await t.request('POST', `/v2/${PROJECT}/webhooks/${id}/test`, { token: w.observer })).status, 403);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/webhooks/${id}`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${OTHER_PROJECT}/webhooks/${id}`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('DELETE', `/v2/${OTHER_PROJECT}/webhooks/${id}`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/webhooks`, { token: null })).status, 401);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/deliveries`, { token: w.stranger })).status, 404);
    assert.equal((await t.request('GET', `/v2/${PROJECT}/webhooks/${id}`, { token: w.creator })).body.secret, SECRET);
  });
});
