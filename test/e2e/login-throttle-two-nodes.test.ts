// Two API nodes on one PostgreSQL database: failed logins count once across both, so an attacker who spreads guesses
// over the nodes is throttled as on one node. The count is one atomic upsert per key: concurrent failures on both
// nodes are all counted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadServerConfig, type ServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';

const ADMIN = 'login-throttle-two-nodes-admin';
const PER_ACCOUNT = 6;
const PER_ADDRESS = 40;
const skip = !process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL is not set: two nodes need a PostgreSQL server (.ci/run starts one)' : false;

describe('login throttle shared by two nodes on PostgreSQL', { skip, timeout: 120_000 }, () => {
  let database: TestDatabase;
  const nodes: { server: RunningServer; store: Store }[] = [];

  before(async () => {
    database = await createTestDatabase('postgres');
    const overrides: Partial<ServerConfig> = {
      host: '127.0.0.1',
      port: 0,
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      adminToken: ADMIN,
      logLevel: 'silent',
      loginFailuresPerAccount: PER_ACCOUNT,
      loginFailuresPerAddress: PER_ADDRESS,
      loginWindowSeconds: 300,
    };
    for (let i = 0; i < 2; i++) {
      const store = await database.open();
      nodes.push({ server: await startServer(loadServerConfig({}, overrides), { store, logger: pino({ level: 'silent' }) }), store });
    }
  });
  after(async () => {
    for (const node of nodes) {
      await node.server.close();
      await node.store.close();
    }
    await database?.drop();
  });

  const createUser = async (username: string) => {
    const res = await fetch(`${nodes[0]!.server.url}/admin/users`, {
      method: 'POST',
      headers: { 'x-auth-token': ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'right-password', project_id: '123456', roles: ['cloudbackup:observer'] }),
    });
    assert.equal(res.status, 201, await res.text());
  };
  const login = async (node: number, username: string, password: string) => {
    const res = await fetch(`${nodes[node % 2]!.server.url}/v2.0/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: { passwordCredentials: { username, password } } }),
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { message?: string } };
  };

  it('guesses spread over both nodes lock the account on both, even with the right password', async () => {
    await createUser('spread');
    for (let i = 0; i < PER_ACCOUNT; i++) assert.equal((await login(i, 'spread', `guess-${i}`)).status, 401, `guess ${i} on node ${i % 2}`);
    for (const node of [0, 1]) {
      const refused = await login(node, 'spread', 'right-password');
      assert.equal(refused.status, 429, `node ${node}: ${JSON.stringify(refused.body)}`);
      assert.match(refused.body.message ?? '', /Too many failed logins for this account; try again in \d+ s\./);
      assert.ok(Number(refused.retryAfter) > 0 && Number(refused.retryAfter) <= 300, `Retry-After ${refused.retryAfter}`);
    }
  });

  it('concurrent failures on both nodes are all counted (one atomic upsert per key)', async () => {
    await createUser('burst');
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => login(i, 'burst', `guess-${i}`)));
    const failures = answers.filter((a) => a.status === 401).length;
    assert.ok(
      answers.every((a) => a.status === 401 || a.status === 429),
      JSON.stringify(answers.map((a) => a.status)),
    );
    assert.ok(failures >= PER_ACCOUNT, `${failures} guesses were checked`);
    const row = await nodes[0]!.store.db.selectFrom('login_failures').select('failures').where('key', '=', 'account:user:burst').executeTakeFirstOrThrow();
    assert.equal(Number(row.failures), failures, 'every 401 was counted once');
    for (const node of [0, 1]) assert.equal((await login(node, 'burst', 'right-password')).status, 429);
  });

  it("a success on one node forgets the account's failures on both; the address keeps counting", async () => {
    await createUser('forgiven');
    for (let i = 0; i < PER_ACCOUNT - 1; i++) assert.equal((await login(i, 'forgiven', 'wrong')).status, 401);
    assert.equal((await login(1, 'forgiven', 'right-password')).status, 200);
    for (let i = 0; i < PER_ACCOUNT - 1; i++) assert.equal((await login(i, 'forgiven', 'wrong')).status, 401, `the count started again (${i})`);
    const address = await nodes[0]!.store.db.selectFrom('login_failures').select('failures').where('key', '=', 'address:127.0.0.1').executeTakeFirstOrThrow();
    assert.ok(Number(address.failures) >= 2 * (PER_ACCOUNT - 1));
  });

  it('one address guessing many accounts over both nodes is refused on both', async () => {
    const counted = await nodes[0]!.store.db.selectFrom('login_failures').select('failures').where('key', '=', 'address:127.0.0.1').executeTakeFirstOrThrow();
    for (let i = Number(counted.failures); i < PER_ADDRESS; i++) assert.equal((await login(i, `nobody-${i}`, 'wrong')).status, 401);
    for (const node of [0, 1]) {
      const refused = await login(node, 'someone-else', 'wrong');
      assert.equal(refused.status, 429);
      assert.match(refused.body.message ?? '', /Too many failed logins for this address/);
    }
  });
});
