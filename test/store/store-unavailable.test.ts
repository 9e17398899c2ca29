// Losing the database: answers are 503 with Retry-After (v2) or CF-ServiceUnavailable (v3), never 500, and the
// node recovers by itself once the database is back. PostgreSQL only (SQLite is a file in the server's process).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { loadServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { openPostgresStore } from '../../src/store/postgres.js';
import { MISSED_NOTIFICATIONS, type Store } from '../../src/store/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/test-store.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const ADMIN = 'unavailable-test-admin-token';
const skip = testEngine() !== 'postgres' ? 'PostgreSQL only: an SQLite store has no connection to lose' : false;

describe('store: database unavailable', { skip }, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let store: Store;
  let direct: Store;
  let server: RunningServer;

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, { headers });
    const text = await response.text();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
  };
  const v3 = { authorization: `bearer ${ADMIN}` };

  before(async () => {
    database = await createTestDatabase();
    const target = new URL(database.databaseUrl!);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    const viaProxy = new URL(target);
    viaProxy.port = String(proxy.port);
    store = await openPostgresStore({ url: viaProxy.toString(), poolSize: 4 });
    direct = await database.open();
    const config = loadServerConfig({}, { host: '127.0.0.1', port: 0, dataDir: database.dataDir, adminToken: ADMIN, logLevel: 'silent' });
    server = await startServer(config, { store, logger: pino({ level: 'silent' }) });
  });

  after(async () => {
    await server?.close();
    await store?.close();
    await direct?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('answers 503 while the database is gone and recovers without a restart when it is back', async () => {
    assert.equal((await get('/ready')).status, 204);
    const v3Before = await get('/v3/tasks', v3);
    assert.equal(v3Before.status, 200, 'GET /v3/tasks before the outage');

    await proxy.cut();
    const queryError = await store.db
      .selectFrom('projects')
      .select('id')
      .execute()
      .then(
        () => null,
        (error: unknown) => error,
      );
    assert.ok(queryError, 'a query with the database gone must fail');
    assert.equal(store.isUnavailableError(queryError), true, `not recognised as unavailable: ${String(queryError)}`);

    const ready = await get('/ready');
    assert.equal(ready.status, 503);
    assert.ok(Number(ready.retryAfter) > 0, 'v2: Retry-After');
    assert.equal(typeof ready.body.message, 'string');

    const tasks = await get('/v3/tasks', v3);
    assert.equal(tasks.status, 503);
    assert.equal(tasks.body.errors[0].title, 'CF-ServiceUnavailable');
    assert.ok(Number(tasks.retryAfter) > 0, 'v3: Retry-After');

    // Whatever was notified during the outage is lost: once listening again, the store says so, so long polls look again.
    const toldMissed = new Promise<void>((resolve) => {
      const stop = store.listen((channel) => {
        if (channel === MISSED_NOTIFICATIONS) {
          stop();
          resolve();
        }
      });
    });
    await proxy.restore();
    await Promise.race([toldMissed, delay(10_000).then(() => Promise.reject(new Error('no missed-notifications signal after the outage')))]);
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && (status = (await get('/ready')).status) !== 204) await delay(50);
    assert.equal(status, 204, 'the node did not recover once the database was back');
    assert.equal((await get('/v3/tasks', v3)).status, 200);

    // The LISTEN connection came back too: notifications from another node arrive again.
    const heard = new Promise<void>((resolve) => {
      const stop = store.listen((channel, payload) => {
        if (channel === 'test' && payload === 'after-outage') {
          stop();
          resolve();
        }
      });
    });
    const sending = (async () => {
      for (let i = 0; i < 40; i++) {
        await direct.notify('test', 'after-outage');
        await delay(100);
      }
    })();
    await Promise.race([heard, sending.then(() => Promise.reject(new Error('notifications did not resume after the outage')))]);
  });

  it('answers no 5xx other than 503 when the server terminates the node connections, and recovers', async (t) => {
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    try {
      const name = new URL(database.databaseUrl!).pathname.slice(1);
      const statuses: number[] = [];
      const load = (async () => {
        for (let i = 0; i < 60; i++) statuses.push((await get('/ready')).status);
      })();
      for (let i = 0; i < 3; i++) {
        await delay(20);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      }
      await load;
      t.diagnostic(`statuses while connections were terminated: ${statuses.filter((s) => s === 503).length}× 503, ${statuses.filter((s) => s === 204).length}× 204`);
      assert.deepEqual(
        statuses.filter((s) => s !== 204 && s !== 503),
        [],
      );
      assert.equal(statuses.at(-1), 204);
    } finally {
      await admin.end();
    }
  });
});
