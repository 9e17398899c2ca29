import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseRange } from './vault-range.js';

it('reads exact, open-ended and suffix ranges inside the file', () => {
  assert.deepEqual(parseRange(undefined, 10), { kind: 'whole' });
  assert.deepEqual(parseRange('bytes=0-0', 10), { kind: 'range', offset: 0, length: 1 });
  assert.deepEqual(parseRange('bytes=2-9', 10), { kind: 'range', offset: 2, length: 8 });
  assert.deepEqual(parseRange('bytes=4-', 10), { kind: 'range', offset: 4, length: 6 });
  assert.deepEqual(parseRange('bytes=-3', 10), { kind: 'range', offset: 7, length: 3 });
});

it('refuses ranges that reach past the end, are reversed or malformed', () => {
  for (const header of ['bytes=5-10', 'bytes=10-', 'bytes=3-2', 'bytes=-11', 'bytes=-0', 'bytes=-', 'bytes=1-2,4-5', 'items=0-1', 'bytes=a-b']) {
    assert.deepEqual(parseRange(header, 10), { kind: 'unsatisfiable' }, header);
  }
  assert.deepEqual(parseRange('bytes=0-0', 0), { kind: 'unsatisfiable' });
});
