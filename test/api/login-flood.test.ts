import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildWorld, PROJECT, userToken, type World } from '../helpers/fixtures.js';
import { itemAt } from '../helpers/indexing.js';

/*
 * Login floods: scrypt runs on its own threads, so a flood of bad logins does not stall vault uploads (file I/O on
 * the libuv pool); failed logins are throttled per account and per address, for users and agents; an unknown user
 * costs the same as a wrong password.
 */

const FILES = 24;
const FILE_BYTES = 2 * 1024 * 1024;
const payload = randomBytes(FILE_BYTES);

async function uploadRun(t: TestServer, w: World, tag: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < FILES; i++) {
    const res = await fetch(`${t.url}/vaults/${w.agent.vaultId}/files/data/${tag}${i}`, {
      method: 'PUT',
      headers: { 'x-auth-token': w.agent.token, 'content-type': 'application/octet-stream' },
      body: payload,
    });
    assert.equal(res.status, 201, await res.text());
  }
  return performance.now() - started;
}

function badLogin(t: TestServer, username: string) {
  return fetch(`${t.url}/v2.0/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { passwordCredentials: { username, password: 'wrong-password' } } }),
  });
}

describe('a login flood while a vault upload runs', { timeout: 180_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    // Throttling off for this test: every one of the 64 logins really hashes.
    t = await startTestServer({ loginFailuresPerAccount: 100_000, loginFailuresPerAddress: 100_000 });
    w = await buildWorld(t);
  });
  after(async () => t.close());

  it('64 concurrent bad logins leave the upload within 2x of an idle run', async () => {
    await uploadRun(t, w, 'warm');
    const idle = Math.min(await uploadRun(t, w, 'idlea'), await uploadRun(t, w, 'idleb'));
    let flooding = true;
    let logins = 0;
    // Keep 64 bad logins in flight for the whole upload, half for existing users and half for unknown ones.
    const flood = Array.from({ length: 64 }, async (_, i) => {
      while (flooding) {
        const res = await badLogin(t, i % 2 === 0 ? `nobody-${i}` : 'admin-flood-target');
        assert.equal(res.status, 401);
        await res.arrayBuffer();
        logins++;
      }
    });
    const loaded = await uploadRun(t, w, 'flood');
    flooding = false;
    await Promise.all(flood);
    console.log(`idle upload ${idle.toFixed(0)} ms, under a flood ${loaded.toFixed(0)} ms, ${logins} bad logins meanwhile`);
    assert.ok(logins >= 64, `the flood ran (${logins} logins)`);
    // 2x of the idle run, plus 300 ms for the scheduling noise of a shared 2-core machine.
    assert.ok(loaded <= 2 * idle + 300, `upload took ${loaded.toFixed(0)} ms under the flood, ${idle.toFixed(0)} ms idle`);
  });
});

describe('failed logins are throttled', { timeout: 120_000 }, () => {
  let t: TestServer;
  let w: World;
  before(async () => {
    t = await startTestServer({ loginFailuresPerAccount: 5, loginFailuresPerAddress: 40, loginWindowSeconds: 60 });
    w = await buildWorld(t);
  });
  after(async () => t.close());

  it('per user: after 5 failures 429 with Retry-After, even with the right password; other users unaffected', async () => {
    const username = `victim-${randomBytes(3).toString('hex')}`;
    assert.equal((await t.request('POST', '/admin/users', { body: { username, password: 'password-123', project_id: PROJECT, roles: ['cloudbackup:observer'] } })).status, 201);
    const statuses = await Promise.all(Array.from({ length: 12 }, () => badLogin(t, username).then((r) => r.status)));
    assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join());
    assert.equal(statuses.filter((s) => s === 429).length, 7, statuses.join());
    const refused = await t.request('POST', '/v2.0/tokens', { token: null, body: { auth: { passwordCredentials: { username, password: 'password-123' } } } });
    assert.equal(refused.status, 429);
    assert.match(refused.body.message, /Too many failed logins for this account/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal(typeof (await userToken(t, 'observer')), 'string', 'another user logs in');
  });

  it('per agent: an agent id guessed at is refused with 429 after 5 failures', async () => {
    const body = { id: w.otherAgent.id, password: 'guess', host: { fingerprint: w.otherAgent.fingerprint } };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.request('POST', `/v2/${PROJECT}/agents/tokens`, { token: null, body })).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
    const real = await t.request('POST', `/v2/${PROJECT}/agents/tokens`, { token: null, body: { ...body, password: w.otherAgent.password } });
    assert.equal(real.status, 429);
    assert.ok(Number(real.headers.get('retry-after')) >= 1);
    const other = await t.request('POST', `/v2/${PROJECT}/agents/tokens`, { token: null, body: { id: w.agent.id, password: w.agent.password, host: { fingerprint: w.agent.fingerprint } } });
    assert.equal(other.status, 200, 'another agent still logs in');
  });

  it('per address: many names from one address are refused once the address has 40 failures', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await badLogin(t, `spray-${i}`)).status);
    const last = await badLogin(t, 'spray-last');
    assert.equal(last.status, 429);
    assert.match(((await last.json()) as { message: string }).message, /this address/);
    assert.ok(statuses.filter((s) => s === 429).length > 0, 'the address limit (40, with the earlier failures of this file) was reached');
  });
});

describe('an unknown user costs the same as a wrong password', { timeout: 120_000 }, () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ loginFailuresPerAccount: 100_000, loginFailuresPerAddress: 100_000 });
    await userToken(t, 'observer');
    assert.equal((await t.request('POST', '/admin/users', { body: { username: 'known-user', password: 'password-123', project_id: PROJECT, roles: ['cloudbackup:observer'] } })).status, 201);
  });
  after(async () => t.close());

  it('median times of 15 logins each differ by less than half of a hash', async () => {
    const timeOf = async (username: string) => {
      const started = performance.now();
      assert.equal((await badLogin(t, username)).status, 401);
      return performance.now() - started;
    };
    await timeOf('warm-up-unknown');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      known.push(await timeOf('known-user'));
      unknown.push(await timeOf(`unknown-${i}`));
    }
    const median = (xs: number[]) =>
      itemAt(
        [...xs].sort((a, b) => a - b),
        Math.floor(xs.length / 2),
      );
    console.log(`median bad login: known user ${median(known).toFixed(1)} ms, unknown user ${median(unknown).toFixed(1)} ms`);
    // Without the decoy hash an unknown user answers in about a millisecond, a known one after a whole scrypt.
    assert.ok(median(unknown) > median(known) * 0.5, `unknown ${median(unknown)} ms vs known ${median(known)} ms`);
    assert.ok(median(known) > median(unknown) * 0.5, `known ${median(known)} ms vs unknown ${median(unknown)} ms`);
  });
});
