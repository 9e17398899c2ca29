import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import { agentRow } from '../../test/store/store-rows.js';
import { LastSeenWriter } from './last-seen-writer.js';

const NOW = '2026-01-01T00:00:00.000000Z';
const AGENTS = 300;

async function insertAgents(store: Store, ids: string[]): Promise<void> {
  await store.db.insertInto('projects').values({ id: 'p1', name: 'p1', created_at: NOW }).execute();
  await store.db
    .insertInto('agents')
    .values(ids.map((id) => agentRow(id, 'p1', id)))
    .execute();
}

describe('LastSeenWriter', { timeout: 30_000 }, () => {
  let store: Store;
  let transactions = 0;
  const ids = Array.from({ length: AGENTS }, (_, i) => `agent-${i}`);
  const lastSeen = async () => new Map((await store.db.selectFrom('agents').select(['id', 'last_seen_at']).execute()).map((row) => [row.id, row.last_seen_at]));

  before(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    await insertAgents(store, ids);
    const transaction = store.transaction.bind(store);
    store.transaction = (work) => {
      transactions++;
      return transaction(work);
    };
  });
  after(async () => {
    await store?.close();
  });

  it('writes the agents heard from together in one transaction, each with the time it was heard', async () => {
    const writer = new LastSeenWriter(store);
    const heardAt = Date.parse('2026-12-03T10:00:00.000Z');
    ids.forEach((id, i) => writer.heard(id, heardAt + i));
    assert.equal([...(await lastSeen()).values()].filter((at) => at !== null).length, 0, 'nothing written before the batch delay');
    await delay(400);
    const seen = await lastSeen();
    assert.equal(transactions, 1, 'one transaction for every agent of the batch');
    assert.equal(seen.get('agent-0'), new Date(heardAt).toISOString());
    assert.equal(seen.get(`agent-${AGENTS - 1}`), new Date(heardAt + AGENTS - 1).toISOString());
  });

  it('writes an agent heard again within 5 s once, and again after that', async () => {
    transactions = 0;
    const writer = new LastSeenWriter(store);
    const start = Date.parse('2026-12-03T11:00:00.000Z');
    writer.heard('agent-1', start);
    writer.heard('agent-1', start + 1_000);
    await writer.flush();
    assert.equal((await lastSeen()).get('agent-1'), new Date(start).toISOString());
    writer.heard('agent-1', start + 4_999);
    await writer.flush();
    assert.equal(transactions, 1, 'nothing to write within the interval');
    writer.heard('agent-1', start + 5_000);
    await writer.flush();
    assert.equal((await lastSeen()).get('agent-1'), new Date(start + 5_000).toISOString());
  });

  it('a batch that fails is written again when its agents are next heard from', async () => {
    const writer = new LastSeenWriter(store);
    const start = Date.parse('2026-12-03T12:00:00.000Z');
    const transaction = store.transaction;
    store.transaction = () => Promise.reject(new Error('disk full'));
    writer.heard('agent-2', start);
    await writer.flush();
    store.transaction = transaction;
    assert.notEqual((await lastSeen()).get('agent-2'), new Date(start).toISOString());
    writer.heard('agent-2', start + 1);
    await writer.flush();
    assert.equal((await lastSeen()).get('agent-2'), new Date(start + 1).toISOString(), 'not held back by the failed write');
  });
});
