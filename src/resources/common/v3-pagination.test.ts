import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseParamName, cgiEscape, orderByPair, paginationEnvelope, parsePaging, parseRawQuery, percentDecode } from './v3-pagination.js';

describe('v3 pagination helpers', () => {
  it('cgiEscape matches Ruby CGI.escape', () => {
    assert.equal(cgiEscape('task one'), 'task+one');
    assert.equal(cgiEscape("foo in (bar),!x=y*'~_.-"), 'foo+in+%28bar%29%2C%21x%3Dy%2A%27~_.-');
    assert.equal(cgiEscape('+created_at'), '%2Bcreated_at');
    assert.equal(cgiEscape('created_ats[lt]'), 'created_ats%5Blt%5D');
    assert.equal(cgiEscape('é/%'), '%C3%A9%2F%25');
  });

  it('parseRawQuery reads + as space, decodes %XX, keeps malformed escapes, lets the last repeat win', () => {
    const params = parseRawQuery('/v3/tasks?names=task+one&label_selector&x=%E2%82%AC&bad=%zz%41&names=two&created_ats%5Blt%5D=T');
    assert.deepEqual(
      [...params.entries()],
      [
        ['label_selector', ''],
        ['x', '€'],
        ['bad', '%zzA'],
        ['names', 'two'],
        ['created_ats[lt]', 'T'],
      ],
    );
    assert.equal(parseRawQuery('/v3/tasks').size, 0);
    assert.equal(percentDecode('%E2%82'), '%E2%82');
    assert.equal(baseParamName('created_ats[lt]'), 'created_ats');
    assert.equal(baseParamName('names'), 'names');
  });

  it('parsePaging: defaults, bounds and order_by signs', () => {
    const parse = (query: string) => parsePaging(parseRawQuery(`/x?${query}`), ['created_at', 'updated_at']);
    assert.deepEqual(parse(''), { paging: { page: 1, perPage: 50, orderBy: undefined }, errors: [] });
    assert.deepEqual(parse('page=3&per_page=5000&order_by=-updated_at').paging, { page: 3, perPage: 5000, orderBy: { column: 'updated_at', direction: 'desc' } });
    assert.deepEqual(parse('order_by=+created_at').paging.orderBy, { column: 'created_at', direction: 'asc' });
    assert.deepEqual(parse('order_by=%2Bcreated_at').paging.orderBy, { column: 'created_at', direction: 'asc' });
    assert.deepEqual(parse('page=-1&per_page=1.5&order_by=-name').errors, [
      'Page must be a positive integer',
      'Per page must be a positive integer',
      "Order by can only be: 'created_at', 'updated_at'",
    ]);
  });

  it('envelope: total_pages at least 1, next/previous only when that page exists, pairs sorted', () => {
    const env = paginationEnvelope('http://h/v3/tasks', { page: 2, perPage: 2, orderBy: undefined }, 5, ['states=RUNNING', ...orderByPair({ column: 'created_at', direction: 'asc' })]);
    assert.equal(env.total_pages, 3);
    assert.equal(env.first.href, 'http://h/v3/tasks?order_by=%2Bcreated_at&page=1&per_page=2&states=RUNNING');
    assert.equal(env.next?.href, 'http://h/v3/tasks?order_by=%2Bcreated_at&page=3&per_page=2&states=RUNNING');
    assert.equal(env.previous?.href, 'http://h/v3/tasks?order_by=%2Bcreated_at&page=1&per_page=2&states=RUNNING');
    const empty = paginationEnvelope('http://h/v3/tasks', { page: 1, perPage: 50, orderBy: undefined }, 0, []);
    assert.deepEqual(empty, {
      total_results: 0,
      total_pages: 1,
      first: { href: 'http://h/v3/tasks?page=1&per_page=50' },
      last: { href: 'http://h/v3/tasks?page=1&per_page=50' },
      next: null,
      previous: null,
    });
  });
});
