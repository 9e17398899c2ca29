import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => t.close());

it('serves an OpenAPI 3.1 document describing the v2 routes, and a docs page that needs no internet', async () => {
  const doc = await t.request('GET', '/openapi.json', { token: null });
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.1.0');
  assert.ok(doc.body.paths['/v2/{project_id}/cleanups/{cleanup_id}'].patch, 'the cleanup PATCH is documented');
  assert.ok(doc.body.paths['/v2/{project_id}/agents'].post);
  const page = await fetch(`${t.url}/docs/`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.doesNotMatch(html, /https?:\/\/(cdn|unpkg|fonts)/, 'no asset comes from the internet');
});

it('counts requests per route in Prometheus format', async () => {
  await t.request('GET', '/v2/123456/ping', { token: null });
  const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /coffer_http_requests_total\{method="GET",route="\/v2\/:project_id\/ping",status="204"\} 1/);
  assert.match(metrics, /coffer_event_long_polls 0/);
});

it('answers unknown routes 404 and wrong methods 405 with an Allow header, in the v2 body', async () => {
  const unknown = await t.request('GET', '/v2/123456/nonsense');
  assert.equal(unknown.status, 404);
  assert.equal(typeof unknown.body.message, 'string');
  const unknownV3 = await t.request('GET', '/v3/nonsense');
  assert.equal(unknownV3.status, 404);
  assert.deepEqual(unknownV3.body, { errors: [{ detail: 'Unknown request', title: 'CF-NotFound', code: 10000 }] });
  const wrong = await t.request('DELETE', '/v2/123456/cleanups');
  assert.equal(wrong.status, 405);
  assert.match(wrong.headers.get('allow') ?? '', /GET/);
  assert.match(wrong.headers.get('allow') ?? '', /POST/);
});

it('refuses a body over 1 MB with 413 and writes nothing', async () => {
  const big = JSON.stringify({ agent_id: 'x'.repeat(1024 * 1024 + 10), state: 'start_requested' });
  const res = await t.request('POST', '/v2/123456/cleanups', { raw: big });
  assert.equal(res.status, 413);
  assert.equal(typeof res.body.message, 'string');
});

it('refuses bodies that try to set __proto__ with 400', async () => {
  const res = await t.request('POST', '/v2/123456/cleanups', { raw: '{"__proto__":{"admin":true},"agent_id":"a","state":"start_requested"}' });
  assert.equal(res.status, 400);
});
