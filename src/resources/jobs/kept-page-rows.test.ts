import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeptPageRows } from './kept-page-rows.js';
import { JoinedPages } from './list-item-json.js';

describe('kept job list pages', { timeout: 10_000 }, () => {
  it('rows are kept while the jobs version stays, dropped when it moves, and not kept when it moved during the query', async () => {
    let version = 1;
    const kept = new KeptPageRows<number>({ tablesVersion: () => version });
    let queries = 0;
    const query = async () => [++queries];
    assert.deepEqual(await kept.read('a', version, query), [1]);
    assert.deepEqual(await kept.read('a', version, query), [1]);
    version = 2;
    assert.deepEqual(await kept.read('a', version, query), [2]);
    const moving = async () => {
      version = 3;
      return [++queries];
    };
    assert.deepEqual(await kept.read('b', version, moving), [3]);
    assert.deepEqual(await kept.read('b', version, query), [4], 'read while the version moved: not kept');
    assert.deepEqual(await kept.read('b', version, query), [4]);
  });

  it('without a version (PostgreSQL) every page is queried', async () => {
    const kept = new KeptPageRows<number>({});
    let queries = 0;
    await kept.read('a', undefined, async () => [++queries]);
    await kept.read('a', undefined, async () => [++queries]);
    assert.equal(queries, 2);
  });

  it('keeps at most 100,000 rows over all pages, the oldest pages going first', async () => {
    const kept = new KeptPageRows<number>({ tablesVersion: () => 1 });
    const page = (n: number) => async () => Array.from({ length: 1000 }, () => n);
    for (let i = 0; i < 101; i++) await kept.read(`p${i}`, 1, page(i));
    assert.equal((await kept.read('p0', 1, page(-1)))[0], -1, 'the oldest page was dropped');
    assert.equal((await kept.read('p100', 1, page(-1)))[0], 100);
  });

  it('a page body is joined again unless its items are the very same Buffers and its links the same', () => {
    const pages = new JoinedPages('cleanups');
    const a = Buffer.from('{"id":"a"}');
    const b = Buffer.from('{"id":"b"}');
    const first = pages.body('p', [a, b], [{ rel: 'next' }]);
    assert.equal(first.toString(), JSON.stringify({ cleanups: [{ id: 'a' }, { id: 'b' }], links: [{ rel: 'next' }] }));
    assert.equal(pages.body('p', [a, b], [{ rel: 'next' }]), first);
    const copy = Buffer.from('{"id":"b"}');
    assert.notEqual(pages.body('p', [a, copy], [{ rel: 'next' }]), first, 'an equal but other item Buffer: joined again');
    assert.equal(pages.body('p', [a, copy], undefined).toString(), JSON.stringify({ cleanups: [{ id: 'a' }, { id: 'b' }] }));
    assert.equal(pages.body('q', [], undefined).toString(), '{"cleanups":[]}');
  });
});
