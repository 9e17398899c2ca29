// The store's contract, run on the engine of the test run (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
// migrations, compare-and-set, event id order under concurrent writers, notifications, commit semantics.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { compareAndSet, type EventWrite } from '../../src/store/compare-and-set.js';
import { beyondSql, cutAtHorizon, readCommitHorizon, settledSql, streamOrderSql, type StreamPosition } from '../../src/store/commit-order.js';
import type { Store, Tx } from '../../src/store/store.js';
import { createTestDatabase, testEngine, type TestDatabase, withFreshStore } from '../helpers/test-store.js';
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
  const rows = await store.db
    .selectFrom('schema_migrations' as never)
    .select('id' as never)
    .execute();
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
    withFreshStore((opened, created) => {
      store = opened;
      database = created;
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
      assert.equal(
        updated.reduce((a, b) => a + b, 0),
        1,
      );
      const row = await store.db.selectFrom('jobs').select(['version_no', 'results']).where('id', '=', jobId).executeTakeFirstOrThrow();
      assert.equal(row.version_no, 2);
      assert.equal(JSON.parse(row.results).writer, updated.indexOf(1));
    });

    it('compareAndSet: a change decided on a stale row writes nothing (no event either), is judged again and wins once', async () => {
      const { projectId, jobId } = await insertJobWithParents(store.db);
      const readJob = async (db: Store['db']) => {
        const row = await db.selectFrom('jobs').select(['id', 'version_no', 'results']).where('id', '=', jobId).executeTakeFirstOrThrow();
        return { id: row.id, version: row.version_no, results: row.results };
      };
      const stale = await readJob(store.db);
      await store.db
        .updateTable('jobs')
        .set({ results: '{"other":1}', version_no: stale.version + 1 })
        .where('id', '=', jobId)
        .execute();
      const judged: string[] = [];
      const event = (name: string): EventWrite => ({
        values: { project_id: projectId, agent_id: null, configuration_id: null, subject_id: jobId, name, time: 'now', body: '{}', hidden: 0 },
        notify: undefined,
      });
      const result = await compareAndSet(store, {
        table: 'jobs',
        id: jobId,
        noun: 'job',
        rule: 'optimistic',
        known: stale,
        read: (tx) => readJob(tx.db),
        decide(job) {
          judged.push(job.results);
          return { write: true, set: { results: `${job.results.slice(0, -1)},"mine":${judged.length}}` }, event: event(`change-${judged.length}`), result: (version) => version };
        },
      });
      // The stale attempt's UPDATE found another version: neither the row nor the event was written; the fresh
      // judgement (on the other writer's result) won.
      assert.deepEqual(judged, ['{}', '{"other":1}']);
      assert.equal(result, stale.version + 2);
      const after = await readJob(store.db);
      assert.equal(after.results, '{"other":1,"mine":2}');
      const names = (await store.db.selectFrom('events').select('name').where('subject_id', '=', jobId).execute()).map((r) => r.name);
      assert.deepEqual(names, ['change-2']);
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
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled', 'rejected'],
      );
      // Concurrent transactions may take their ids in any order (PostgreSQL): compare as sets.
      const names = (await store.db.selectFrom('events').select('name').where('project_id', '=', projectId).execute()).map((r) => r.name);
      assert.deepEqual(names.sort(), ['a', 'c']);
      assert.deepEqual(ran.sort(), ['a', 'c']);
    });

    it('transactions that take a row and the event order in opposite orders both complete', async () => {
      const { projectId, jobId } = await insertJobWithParents(store.db);
      const touchJob = (tx: Tx, value: string) =>
        tx.db
          .updateTable('jobs')
          .set({ results: JSON.stringify({ value }) })
          .where('id', '=', jobId)
          .execute();
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
      const count = await store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .executeTakeFirstOrThrow();
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
        const seen = await other.db
          .selectFrom('events')
          .select('id')
          .where('id', 'in', [...ids, outside])
          .execute();
        assert.equal(seen.length, ids.length + 1);
      } finally {
        await other.close();
      }
    });
  });

  describe('event order (src/store/commit-order.ts)', () => {
    let database: TestDatabase;
    let store: Store;
    withFreshStore((opened, created) => {
      store = opened;
      database = created;
    });
    /** One page of a project's events in stream order, as every marker-paged list reads it. */
    async function readStream(reader: Store, projectId: string, after: StreamPosition | undefined, limit = 50) {
      const horizon = await readCommitHorizon(reader.db, reader.capabilities.engine);
      let query = reader.db.selectFrom('events').select(['id', 'commit_tx']).select(settledSql(horizon).as('settled')).where('project_id', '=', projectId);
      if (after) query = query.where(beyondSql(after, 'id', 'asc'));
      const page = cutAtHorizon(await query.orderBy(streamOrderSql('id', 'asc')).limit(limit).execute());
      return { ids: page.rows.map((row) => Number(row.id)), held: page.held, last: page.rows.at(-1) };
    }
    const positionOf = (row: { id: number; commit_tx: number } | undefined): StreamPosition | undefined => row && { commitTx: Number(row.commit_tx), id: Number(row.id) };

    it('a reader never skips an event that commits after a higher id, and never sees one twice', async () => {
      const ownDatabase = await createTestDatabase();
      // Several writer stores stand for several nodes (on SQLite one store: the engine has one writer).
      const writerCount = ownDatabase.engine === 'postgres' ? 4 : 1;
      const writers = await Promise.all(Array.from({ length: writerCount }, () => ownDatabase.open()));
      const reader = await ownDatabase.open();
      try {
        const { projectId } = await insertJobWithParents(writers[0]!.db);
        const committed: number[] = [];
        let writing = true;
        const write = async (store: Store, n: number) => {
          for (let i = 0; i < n; i++) {
            const rollBack = i % 7 === 3;
            const attempt = store.transaction(async (tx) => {
              const id = await insertEvent(tx, projectId);
              // Hold the transaction open after taking the id, so that commits interleave out of id order.
              await delay(Math.floor(Math.random() * 4));
              if (rollBack) throw new Error('rolled back on purpose');
              return id;
            });
            const id = await attempt.catch(() => null);
            if (id !== null) committed.push(id);
          }
        };
        const seen: number[] = [];
        let position: StreamPosition | undefined;
        let outOfIdOrder = 0;
        const readPage = async () => {
          const page = await readStream(reader, projectId, position);
          for (const id of page.ids) {
            if (seen.length > 0 && id < seen[seen.length - 1]!) outOfIdOrder++;
            seen.push(id);
          }
          position = positionOf(page.last) ?? position;
          return page.ids.length;
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

        assert.equal(new Set(seen).size, seen.length, 'an event was read twice');
        const missed = committed.filter((id) => !seen.includes(id));
        assert.deepEqual(missed, [], 'a reader paging by marker skipped events that committed late');
        assert.deepEqual(
          [...seen].sort((a, b) => a - b),
          [...committed].sort((a, b) => a - b),
        );
        assert.ok(Math.min(...committed) >= 1_000_000_000, 'event ids start at 10^9');
        if (ownDatabase.engine === 'sqlite') assert.equal(outOfIdOrder, 0, 'SQLite commits in id order');
      } finally {
        for (const writer of [...writers, reader]) await writer.close();
        await ownDatabase.drop();
      }
    });

    it(
      'holds back an event whose id was overtaken until the lower id commits, and then delivers both',
      { skip: engine === 'sqlite' && 'SQLite has one writer: nothing commits out of id order' },
      async () => {
        const reader = await database.open();
        // Released in `finally` too, so that a failed assertion does not leave a transaction open.
        let releaseA!: () => void;
        const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
        try {
          const { projectId } = await insertJobWithParents(store.db);
          const start = await readStream(reader, projectId, undefined);
          assert.deepEqual(start.ids, []);

          // A takes the lower id and stays open; B takes a higher id and commits first.
          let lowerId!: number;
          const aTookItsId = new Promise<void>((resolve) => {
            void store.transaction(async (tx) => {
              lowerId = await insertEvent(tx, projectId, 'lower');
              resolve();
              await aMayCommit;
            });
          });
          await aTookItsId;
          const higherId = await store.transaction((tx) => insertEvent(tx, projectId, 'higher'));
          assert.ok(higherId > lowerId);

          // The naive reader ("id > marker") sees the higher id now, and would pass the lower one for ever.
          const naive = await reader.db.selectFrom('events').select('id').where('project_id', '=', projectId).orderBy('id').execute();
          assert.deepEqual(
            naive.map((row) => Number(row.id)),
            [higherId],
            'the two commits did not happen out of id order',
          );
          const held = await readStream(reader, projectId, undefined);
          assert.deepEqual(held.ids, [], 'the stream returned an event while a lower id could still commit');
          assert.equal(held.held, true);

          releaseA();
          let page = await readStream(reader, projectId, undefined);
          for (let i = 0; page.held && i < 100; i++) {
            await delay(20);
            page = await readStream(reader, projectId, undefined);
          }
          assert.deepEqual(page.ids, [lowerId, higherId]);
          assert.deepEqual((await readStream(reader, projectId, positionOf(page.last))).ids, []);
        } finally {
          releaseA();
          await reader.close();
        }
      },
    );

    it(
      'orders by commit, not by id: a transaction that began writing first comes first even with a higher id',
      { skip: engine === 'sqlite' && 'SQLite has one writer: nothing commits out of id order' },
      async () => {
        const reader = await database.open();
        let releaseB!: () => void;
        const bMayInsert = new Promise<void>((resolve) => (releaseB = resolve));
        try {
          const { projectId, jobId } = await insertJobWithParents(store.db);
          // B starts writing first (takes its transaction id) but inserts its event last.
          let bStarted!: () => void;
          const bHasXid = new Promise<void>((resolve) => (bStarted = resolve));
          const b = store.transaction(async (tx) => {
            await tx.db.updateTable('jobs').set({ results: '{"b":1}' }).where('id', '=', jobId).execute();
            bStarted();
            await bMayInsert;
            return insertEvent(tx, projectId, 'b');
          });
          await bHasXid;
          const aId = await store.transaction((tx) => insertEvent(tx, projectId, 'a'));
          // A committed, but B (older) may still write: A's event waits.
          assert.deepEqual((await readStream(reader, projectId, undefined)).ids, []);
          releaseB();
          const bId = await b;
          assert.ok(bId > aId);
          let page = await readStream(reader, projectId, undefined);
          for (let i = 0; page.held && i < 100; i++) {
            await delay(20);
            page = await readStream(reader, projectId, undefined);
          }
          assert.deepEqual(page.ids, [bId, aId], 'the stream follows the writing transactions');
          // Paging one by one gives the same stream.
          const first = await readStream(reader, projectId, undefined, 1);
          const second = await readStream(reader, projectId, positionOf(first.last), 1);
          assert.deepEqual([...first.ids, ...second.ids], [bId, aId]);
        } finally {
          releaseB();
          await reader.close();
        }
      },
    );

    it('a transaction left open in another database of the server holds nothing back here', { skip: engine === 'sqlite' && 'PostgreSQL only: SQLite files share no transaction ids' }, async () => {
      const elsewhere = await createTestDatabase();
      const stranger = new pg.Client({ connectionString: elsewhere.databaseUrl });
      await stranger.connect();
      try {
        // Another application's session: it writes, takes a transaction id and stays open.
        await stranger.query('BEGIN');
        const strangerXid = Number((await stranger.query('SELECT pg_current_xact_id()::text AS xid')).rows[0].xid);
        const { projectId } = await insertJobWithParents(store.db);
        const id = await store.transaction((tx) => insertEvent(tx, projectId, 'after the stranger'));
        const commitTx = Number((await store.db.selectFrom('events').select('commit_tx').where('id', '=', id).executeTakeFirstOrThrow()).commit_tx);
        assert.ok(commitTx > strangerXid, 'the event was written after the other database took its transaction id');
        const page = await readStream(store, projectId, undefined);
        assert.deepEqual(page.ids, [id], "another database's open transaction held the stream back");
        assert.equal(page.held, false);
      } finally {
        await stranger.query('ROLLBACK').catch(() => undefined);
        await stranger.end();
        await elsewhere.drop();
      }
    });

    it(
      'inside a transaction the horizon is read afresh each time (the backends are looked at again)',
      { skip: engine === 'sqlite' && 'SQLite has one writer: nothing commits out of id order' },
      async () => {
        const { projectId } = await insertJobWithParents(store.db);
        let releaseA!: () => void;
        const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
        try {
          await store.transaction(async (reader) => {
            // The first look, in this transaction, while nothing else runs.
            await readCommitHorizon(reader.db, engine);
            // A takes a transaction id and stays open; B, later, commits an event.
            const aTookItsId = new Promise<void>((resolve) => {
              void store.transaction(async (tx) => {
                await insertEvent(tx, projectId, 'a');
                resolve();
                await aMayCommit;
              });
            });
            await aTookItsId;
            await store.transaction((tx) => insertEvent(tx, projectId, 'b'));
            const horizon = await readCommitHorizon(reader.db, engine);
            const rows = await reader.db.selectFrom('events').select('id').select(settledSql(horizon).as('settled')).where('project_id', '=', projectId).execute();
            assert.equal(rows.length, 1, 'B is visible, A not yet');
            assert.deepEqual(cutAtHorizon(rows).rows, [], 'B was settled although A, older and open, may still commit before it');
          });
        } finally {
          releaseA();
        }
      },
    );
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
        await assert.rejects(
          a.transaction(async (tx) => {
            await tx.notify('test', 'rolled-back');
            throw new Error('no');
          }),
        );
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
