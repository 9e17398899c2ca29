import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';
import { CallerCache } from './caller-cache.js';

const agent = (): Caller => ({ kind: 'agent', agentId: 'a1', projectId: 'p1' });
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('CallerCache', { timeout: 30_000 }, () => {
  let store: Store;
  before(async () => {
    store = await openSqliteStore({ file: ':memory:' });
  });
  after(async () => {
    await store?.close();
  });

  it('serves a caller until the token expires, then refuses it', async () => {
    const cache = new CallerCache(store);
    cache.set('h1', agent(), inMs(150), cache.version());
    assert.deepEqual(cache.get('h1', new Date().toISOString()), agent());
    await delay(200);
    assert.equal(cache.get('h1', new Date().toISOString()), 'expired');
    assert.equal(cache.get('h1', new Date().toISOString()), undefined, 'forgotten once expired');
  });

  it('forgets every caller when the token or user tables change', async () => {
    const cache = new CallerCache(store);
    cache.set('h1', agent(), inMs(60_000), cache.version());
    await store.db.deleteFrom('tokens').where('token_hash', '=', 'not-even-this-one').execute();
    assert.equal(cache.get('h1', new Date().toISOString()), undefined);
  });

  it('does not keep a row read before the tables changed', async () => {
    const cache = new CallerCache(store);
    const before = cache.version();
    // The read happens here; meanwhile the token is revoked:
    await store.db.updateTable('users').set({ disabled: 1 }).where('id', '=', 'someone').execute();
    cache.set('h1', agent(), inMs(60_000), before);
    assert.equal(cache.get('h1', new Date().toISOString()), undefined);
  });

  it('keeps nothing where the store cannot tell changes (PostgreSQL)', () => {
    const cache = new CallerCache({ ...store, tablesVersion: undefined });
    cache.set('h1', agent(), inMs(60_000), cache.version());
    assert.equal(cache.get('h1', new Date().toISOString()), undefined);
  });

  it('hands out callers nobody can change', () => {
    const cache = new CallerCache(store);
    cache.set('h2', { kind: 'user', userId: 'u', username: 'u', projectId: 'p', roles: ['cloudbackup:observer'] }, inMs(60_000), cache.version());
    const caller = cache.get('h2', new Date().toISOString());
    assert.ok(caller && caller !== 'expired' && caller.kind === 'user');
    assert.throws(() => (caller.roles as string[]).push('cloudbackup:admin'));
    assert.throws(() => ((caller as { projectId: string }).projectId = 'other'));
  });
});
