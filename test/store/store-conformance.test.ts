// The store's contract, run on the engine of the test run (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
// migrations, compare-and-set, event id order under concurrent writers, notifications, commit semantics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { migrate } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import type { Store, Tx } from '../../src/store/store.js';
import { createTestDatabase, testEngine, type TestDatabase } from '../helpers/test-store.js';
import { insertEvent, insertJobWithParents } from './store-rows.js';

const engine = testEngine();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Opens the store of `database` in a separate node process, as another server node would, and closes it. */
function openInChildProcess(database: TestDatabase): Promise<void> {
  const script = `
    import { openStore } from ${JSON.stringify(path.join(root, 'src/store/open-store.ts'))};
    const store = await openStore({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.DATA_DIR });
    await store.close();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: database.databaseUrl ?? '', DATA_DIR: database.dataDir },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child store exited with ${code}: ${stderr}`))));
  });
}

async function appliedMigrations(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('schema_migrations' as never).select('id' as never).execute();
  return (rows as { id: string }[]).map((r) => r.id).sort();
}

describe(`store conformance (${engine})`, () => {
  describe('migrations', () => {
    it('are idempotent: reopening or re-running applies nothing and changes nothing', async () => {
      const database = await createTestDatabase();
      try {
        const first = await database.open();
        const ids = await appliedMigrations(first);
        assert.deepEqual(ids, MIGRATIONS.map((m) => m.id).sort());
        assert.deepEqual(await migrate(first.db, engine, MIGRATIONS), []);
        await first.close();
        const second = await database.open();
        assert.deepEqual(await appliedMigrations(second), ids);
        await second.close();
      } finally {
        await database.drop();
      }
    });

    it('started at once by several stores and processes on a fresh database, apply exactly once', async () => {
      const database = await createTestDatabase();
      try {
        const opening = [database.open(), database.open(), database.open(), openInChildProcess(database), openInChildProcess(database)];
        const results = await Promise.allSettled(opening);
        const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        assert.deepEqual(failures, []);
        const stores = results.filter((r): r is PromiseFulfilledResult<Store> => r.status === 'fulfilled' && r.value !== undefined).map((r) => r.value);
        assert.deepEqual(await appliedMigrations(stores[0]!), MIGRATIONS.map((m) => m.id).sort());
        for (const store of stores) await store.close();
      } finally {
        await database.drop();
      }
    });
  });

  describe('transactions', () => {
    let database: TestDatabase;
    let store: Store;
    before(async () => {
      database = await createTestDatabase();
      store = await database.open();
    });
    after(async () => {
      await store.close();
      await database.drop();
    });

    it('compare-and-set on version_no lets exactly one of several concurrent writers win', async () => {
      const { jobId } = await insertJobWithParents(store.db);
      const writers = Array.from({ length: 8 }, (_, i) =>
        store.transaction(async (tx) => {
          await delay(i % 3);
          const result = await tx.db
            .updateTable('jobs')
            .set({ state: 'queued', version_no: 2, results: JSON.stringify({ writer: i }) })
            .where('id', '=', jobId)
            .where('version_no', '=', 1)
            .executeTakeFirst();
          return Number(result.numUpdatedRows);
        }),
      );
      const updated = await Promise.all(writers);
      assert.equal(updated.reduce((a, b) => a + b, 0), 1);
      const row = await store.db.selectFrom('jobs').select(['version_no', 'results']).where('id', '=', jobId).executeTakeFirstOrThrow();
      assert.equal(row.version_no, 2);
      assert.equal(JSON.parse(row.results).writer, updated.indexOf(1));
    });

    it('a failed transaction rolls back only its own writes; afterCommit runs only after a commit', async () => {
      const { projectId } = await insertJobWithParents(store.db);
      const ran: string[] = [];
      const outcomes = await Promise.allSettled(
        ['a', 'b', 'c', 'd'].map((name) =>
          store.transaction(async (tx) => {
            await insertEvent(tx, projectId, name);
            tx.afterCommit(() => ran.push(name));
            if (name === 'b' || name === 'd') throw new Error(`fail ${name}`);
          }),
        ),
      );
      assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      // Concurrent transactions may take their ids in any order (PostgreSQL): compare as sets.
      const names = (await store.db.selectFrom('events').select('name').where('project_id', '=', projectId).execute()).map((r) => r.name);
      assert.deepEqual(names.sort(), ['a', 'c']);
      assert.deepEqual(ran.sort(), ['a', 'c']);
    });

    it('transactions that take a row and the event order in opposite orders both complete', async () => {
      const { projectId, jobId } = await insertJobWithParents(store.db);
      const touchJob = (tx: Tx, value: string) => tx.db.updateTable('jobs').set({ results: JSON.stringify({ value }) }).where('id', '=', jobId).execute();
      for (let round = 0; round < 5; round++) {
        await Promise.all([
          store.transaction(async (tx) => {
            await insertEvent(tx, projectId, 'event-first');
            await delay(20);
            await touchJob(tx, 'a');
          }),
          store.transaction(async (tx) => {
            await touchJob(tx, 'b');
            await delay(20);
            await insertEvent(tx, projectId, 'row-first');
          }),
        ]);
      }
      const count = await store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 10);
    });

    it('savepoints inside a transaction roll back only their part', async () => {
      const { projectId } = await insertJobWithParents(store.db);
      const trx = await store.db.startTransaction().execute();
      await insertEvent({ db: trx } as never, projectId, 'kept');
      const inner = await trx.savepoint('inner').execute();
      await insertEvent({ db: inner } as never, projectId, 'undone');
      await (await inner.rollbackToSavepoint('inner').execute()).commit().execute();
      const names = (await store.db.selectFrom('events').select('name').where('project_id', '=', projectId).execute()).map((r) => r.name);
      assert.deepEqual(names, ['kept']);
    });

    it('a committed transaction is visible to another connection as soon as transaction() resolves', async () => {
      const other = await database.open();
      try {
        const { projectId } = await insertJobWithParents(store.db);
        for (let i = 0; i < 20; i++) {
          const id = await store.transaction((tx) => insertEvent(tx, projectId));
          const seen = await other.db.selectFrom('events').select('id').where('id', '=', id).executeTakeFirst();
          assert.ok(seen, `event ${id} not visible to another connection after commit`);
        }
        // Many at once (SQLite: one shared commit), and writes outside a transaction, which also wait for theirs.
        const ids = await Promise.all(Array.from({ length: 100 }, () => store.transaction((tx) => insertEvent(tx, projectId))));
        const outside = await insertEvent(store, projectId, 'outside');
        const seen = await other.db.selectFrom('events').select('id').where('id', 'in', [...ids, outside]).execute();
        assert.equal(seen.length, ids.length + 1);
      } finally {
        await other.close();
      }
    });
  });

  describe('event ids', () => {
    it('are strictly increasing and never become visible out of order to a reader paging by marker', async () => {
      const database = await createTestDatabase();
      // Several writer stores stand for several nodes (on SQLite one store: the engine has one writer).
      const writerCount = database.engine === 'postgres' ? 4 : 1;
      const writers = await Promise.all(Array.from({ length: writerCount }, () => database.open()));
      const reader = await database.open();
      try {
        const { projectId } = await insertJobWithParents(writers[0]!.db);
        const committed: number[] = [];
        let writing = true;
        const write = async (store: Store, n: number) => {
          for (let i = 0; i < n; i++) {
            const rollBack = i % 7 === 3;
            const attempt = store.transaction(async (tx) => {
              const id = await insertEvent(tx, projectId);
              // Hold the transaction open after taking the id, so that commits would interleave out of id order.
              await delay(Math.floor(Math.random() * 4));
              if (rollBack) throw new Error('rolled back on purpose');
              return id;
            });
            const id = await attempt.catch(() => null);
            if (id !== null) committed.push(id);
          }
        };
        const seen: number[] = [];
        let marker = 0;
        const readPage = async () => {
          const rows = await reader.db.selectFrom('events').select('id').where('project_id', '=', projectId).where('id', '>', marker).orderBy('id').limit(50).execute();
          for (const row of rows) {
            seen.push(Number(row.id));
            marker = Number(row.id);
          }
          return rows.length;
        };
        const reading = (async () => {
          while (writing) {
            if ((await readPage()) === 0) await delay(1);
          }
        })();
        await Promise.all(writers.flatMap((store) => [write(store, 60), write(store, 60)]));
        writing = false;
        await reading;
        while ((await readPage()) > 0);

        for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `ids out of order: ${seen[i - 1]} then ${seen[i]}`);
        const expected = [...committed].sort((a, b) => a - b);
        const missed = expected.filter((id) => !seen.includes(id));
        assert.deepEqual(missed, [], 'a reader paging by marker skipped events that committed after a higher id');
        assert.deepEqual(seen, expected);
        assert.ok(expected[0]! >= 1_000_000_000, 'event ids start at 10^9');
      } finally {
        for (const store of [...writers, reader]) await store.close();
        await database.drop();
      }
    });
  });

  describe('notifications', () => {
    it('reach listeners after commit, not after rollback, and reach other store instances within 200 ms', async (t) => {
      const database = await createTestDatabase();
      const a = await database.open();
      const b = await database.open();
      try {
        const heard = (store: Store, payload: string) =>
          new Promise<number>((resolve) => {
            const started = Date.now();
            const stop = store.listen((channel, text) => {
              if (channel === 'test' && text === payload) {
                stop();
                resolve(Date.now() - started);
              }
            });
          });
        const ownHeard = heard(a, 'own');
        await a.transaction((tx) => tx.notify('test', 'own'));
        assert.ok((await ownHeard) < 200);

        let rolledBackHeard = false;
        const stop = a.listen((channel, text) => {
          if (text === 'rolled-back') rolledBackHeard = true;
        });
        await assert.rejects(a.transaction(async (tx) => {
          await tx.notify('test', 'rolled-back');
          throw new Error('no');
        }));
        await delay(100);
        stop();
        assert.equal(rolledBackHeard, false);

        if (!a.capabilities.sharedAcrossNodes) {
          t.diagnostic('SQLite serves one node: notifications across store instances do not apply');
          return;
        }
        for (let i = 0; i < 5; i++) {
          const otherHeard = heard(b, `cross-${i}`);
          await a.transaction((tx) => tx.notify('test', `cross-${i}`));
          const ms = await Promise.race([otherHeard, delay(1000).then(() => Infinity)]);
          assert.ok(ms < 200, `notification took ${ms} ms to reach the other store`);
        }
      } finally {
        await a.close();
        await b.close();
        await database.drop();
      }
    });
  });
});
