import assert from 'node:assert/strict';
import http from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { AgentApi } from '../../src/agent/agent-api.js';
import { ForeignLinkError } from '../../src/agent/api-origin.js';
import { AgentSession } from '../../src/agent/session.js';
import { loadServerConfig } from '../../src/config.js';
import { startServer } from '../../src/server/server.js';
import { buildWorld, PROJECT, type World } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

/*
 * Links the server builds (responses, stored events, work re-announced at an agent's startup) name
 * COFFER_PUBLIC_URL or the listening address, never what a request's Host or X-Forwarded-* headers say; and the
 * agent sends its token only to its API's own origin.
 */

const FORGED = { host: 'evil.example:19999', 'x-forwarded-host': 'evil.example:19999', 'x-forwarded-proto': 'https' };

/** node:http, because fetch will not send a forged Host header. */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: { ...headers, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function allHrefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) allHrefs(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if ((key === 'href' || key === 'publicURL' || key === 'host') && typeof inner === 'string' && /^https?:/.test(inner)) into.push(inner);
      else allHrefs(inner, into);
    }
  }
  return into;
}

describe('links ignore the Host header', { timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer();
    w = await buildWorld(t);
  });
  after(async () => t.close());

  it('a log-file request with a forged Host stores and hands the agent a link on the server itself', async () => {
    const res = await rawRequest(t.url, 'POST', `/v2/${PROJECT}/agents/${w.agent.id}/logfiles`, { ...FORGED, 'x-auth-token': w.admin });
    assert.equal(res.status, 202);
    assert.equal(res.headers.location, `${t.url}/v2/${PROJECT}/agents/${w.agent.id}/logfiles/${res.body.id}`);
    const events = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=desc&limit=5`, { token: w.agent.token });
    const upload = events.body.events.find((e: any) => e.event === 'logfile_upload' && e.request_id === res.body.id);
    assert.deepEqual(upload.links, [{ href: `${t.url}/v2/${PROJECT}/agents/${w.agent.id}/logfiles/${res.body.id}/content`, rel: 'logfile' }]);
  });

  it('work re-announced at startup with a forged Host names the server itself', async () => {
    const requested = await t.request('POST', `/v2/${PROJECT}/agents/${w.agent.id}/logfiles`, { token: w.admin });
    assert.equal(requested.status, 202);
    const startup = await rawRequest(t.url, 'POST', `/v2/${PROJECT}/agents/${w.agent.id}/events`, { ...FORGED, 'x-auth-token': w.agent.token }, { event: 'startup' });
    assert.equal(startup.status, 202);
    const events = await t.request('GET', `/v2/${PROJECT}/agents/${w.agent.id}/events?sort_dir=desc&limit=20`, { token: w.agent.token });
    const announced = events.body.events.filter((e: any) => e.event === 'logfile_upload' && e.request_id === requested.body.id);
    assert.ok(announced.length >= 2, 'announced when requested and again at startup');
    for (const event of announced) for (const href of allHrefs(event)) assert.ok(href.startsWith(`${t.url}/`), href);
  });

  it('responses (lists, the configuration document, the token catalogue, tasks, health) never name the forged host', async () => {
    const paths = [`/v2/${PROJECT}/agents`, `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, `/v2/${PROJECT}/events?limit=5`, `/v2/${PROJECT}/health`, '/v3/tasks'];
    for (const path of paths) {
      const res = await rawRequest(t.url, 'GET', path, { ...FORGED, 'x-auth-token': w.admin });
      assert.equal(res.status, 200, path);
      const text = JSON.stringify(res.body);
      assert.doesNotMatch(text, /evil\.example/, path);
      assert.ok(allHrefs(res.body).length > 0 || path.endsWith('/tasks'), `${path} has links`);
    }
    const login = await rawRequest(t.url, 'POST', '/v2.0/tokens', FORGED, { auth: { passwordCredentials: { username: 'nobody-here', password: 'x' } } });
    assert.equal(login.status, 401);
  });
});

describe('COFFER_PUBLIC_URL', { timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer({ publicUrl: 'https://backup.example.com/coffer' });
    w = await buildWorld(t);
  });
  after(async () => t.close());

  it('is the base of every link, whatever the Host header says', async () => {
    const res = await rawRequest(t.url, 'POST', `/v2/${PROJECT}/agents/${w.agent.id}/logfiles`, { ...FORGED, 'x-auth-token': w.admin });
    assert.equal(res.headers.location, `https://backup.example.com/coffer/v2/${PROJECT}/agents/${w.agent.id}/logfiles/${res.body.id}`);
    const doc = await rawRequest(t.url, 'GET', `/v2/${PROJECT}/agents/${w.agent.id}/configuration`, { ...FORGED, 'x-auth-token': w.agent.token });
    for (const href of allHrefs(doc.body)) assert.ok(href.startsWith('https://backup.example.com/coffer'), href);
  });

  it('must be an absolute http(s) URL; a wildcard listening address without it does not start', async () => {
    assert.throws(() => loadServerConfig({ COFFER_PUBLIC_URL: 'backup.example.com' }), /COFFER_PUBLIC_URL/);
    assert.throws(() => loadServerConfig({ COFFER_PUBLIC_URL: 'ftp://backup.example.com' }), /COFFER_PUBLIC_URL/);
    assert.throws(() => loadServerConfig({ COFFER_PUBLIC_URL: 'https://backup.example.com/?x=1' }), /COFFER_PUBLIC_URL/);
    assert.equal(loadServerConfig({ COFFER_PUBLIC_URL: 'https://backup.example.com/b/' }).publicUrl, 'https://backup.example.com/b');
    await assert.rejects(startServer(loadServerConfig({ HOST: '0.0.0.0', PORT: '0' })), /COFFER_PUBLIC_URL/);
  });
});

describe('the agent sends its token only to its API origin', { timeout: 60_000 }, () => {
  let t: TestServer;
  let w: World;
  let evil: http.Server;
  let evilUrl: string;
  const seen: http.IncomingHttpHeaders[] = [];
  before(async () => {
    t = await startTestServer();
    w = await buildWorld(t);
    evil = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(307, { location: `${evilUrl}/again` }).end();
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise((resolve) => evil.close(resolve));
    await t.close();
  });

  it('refuses a link on another origin with a log line, and sends nothing there', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
    const abort = new AbortController();
    const config = {
      api: t.url,
      projectId: PROJECT,
      agentId: w.agent.id,
      password: w.agent.password,
      fingerprint: w.agent.fingerprint,
      machineId: 'm',
      name: 'n',
      vaultPassword: 'v',
      rsaPrivateKey: '',
    };
    const session = new AgentSession(config, log, abort.signal);
    const api = new AgentApi(config, session, log);
    try {
      const own = await api.get<any>(api.agentUrl('configuration'));
      assert.equal(own.status, 200);
      await assert.rejects(api.call('PUT', `${evilUrl}/v2/${PROJECT}/agents/${w.agent.id}/logfiles/x/content`, { raw: Buffer.from('log') }), ForeignLinkError);
      await assert.rejects(api.call('PUT', `${t.url.replace('127.0.0.1', 'localhost')}/v2/x`, { raw: Buffer.from('log') }), ForeignLinkError);
      assert.equal(seen.length, 0, 'no request reached the other origin');
      assert.ok(
        lines.some((line) => /refusing the link .*not on the API's origin/.test(line)),
        lines.join(''),
      );
    } finally {
      session.close();
      abort.abort();
    }
  });
});
