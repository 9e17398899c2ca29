// SQLite's tablesVersion (what lets a node keep token rows in memory): it must move on every write to a watched
// table by any path (the query builder, raw SQL, a foreign-key cascade, another connection, a rollback), and stay
// put for writes elsewhere.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-store.js';
import { insertJobWithParents } from './store-rows.js';

const WATCHED = ['tokens', 'users'] as const;
const NOW = '2026-01-01T00:00:00.000000Z';

describe('SQLite tablesVersion', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let store: Store;
  const version = () => store.tablesVersion!(WATCHED);

  before(async () => {
    database = await createTestDatabase('sqlite');
    store = await database.open();
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  const insertToken = async (agentId: string) => {
    const hash = randomUUID();
    await store.db.insertInto('tokens').values({ token_hash: hash, user_id: null, agent_id: agentId, project_id: 'p', expires_at: NOW, created_at: NOW }).execute();
    return hash;
  };

  it('stays put for reads and for writes to other tables', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    const before = version();
    await store.db.selectFrom('tokens').selectAll().execute();
    await store.db.updateTable('jobs').set({ state: 'queued' }).where('id', '=', jobId).execute();
    await store.transaction(async (tx) => {
      await tx.db.updateTable('jobs').set({ state: 'in_progress' }).where('id', '=', jobId).execute();
    });
    assert.equal(version(), before);
  });

  it('moves on inserts, updates and deletes of a watched table, through the builder or raw SQL', async () => {
    const { agentId } = await insertJobWithParents(store.db);
    let last = version();
    const moved = () => {
      const now = version();
      const changed = now !== last;
      last = now;
      return changed;
    };
    const hash = await insertToken(agentId);
    assert.ok(moved(), 'insert');
    await store.db.updateTable('tokens').set({ expires_at: NOW }).where('token_hash', '=', hash).execute();
    assert.ok(moved(), 'update');
    await sql`DELETE FROM tokens WHERE token_hash = ${hash}`.execute(store.db);
    assert.ok(moved(), 'raw delete');
    await store.transaction(async (tx) => {
      await tx.db.updateTable('users').set({ disabled: 1 }).where('id', '=', 'nobody').execute();
    });
    assert.ok(moved(), 'update of users inside a transaction, even of no row');
  });

  it("moves when an agent's deletion cascades to its tokens", async () => {
    const { agentId } = await insertJobWithParents(store.db);
    await insertToken(agentId);
    const before = version();
    await store.db.deleteFrom('agents').where('id', '=', agentId).execute();
    assert.notEqual(version(), before);
    assert.equal((await store.db.selectFrom('tokens').select('token_hash').where('agent_id', '=', agentId).execute()).length, 0);
  });

  it('moves when a transaction that wrote elsewhere rolls back', async () => {
    const { jobId } = await insertJobWithParents(store.db);
    const before = version();
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.db.updateTable('jobs').set({ state: 'queued' }).where('id', '=', jobId).execute();
        throw new Error('refused');
      }),
    );
    assert.notEqual(version(), before);
  });

  it('moves when another connection to the file commits', async () => {
    const other = await database.open();
    try {
      const before = version();
      const { jobId } = await insertJobWithParents(other.db);
      await other.db.updateTable('jobs').set({ state: 'queued' }).where('id', '=', jobId).execute();
      assert.notEqual(version(), before);
      const settled = version();
      assert.equal(version(), settled, 'nothing new: the same version');
    } finally {
      await other.close();
    }
  });
});
