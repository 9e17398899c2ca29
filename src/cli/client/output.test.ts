import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coloursWanted, counted, formatShortTime, formatTable, formatTime, paint, visibleLength } from './output.js';
import { itemAt } from '../../../test/helpers/indexing.js';

const rows = [
  { id: '0d95d699-d16b-11e4-93bd-c8e0eb190e3d', name: 'A very long configuration name that will not fit', state: 'completed_with_errors' },
  { id: '2f8708b3-d16b-11e4-bc22-c8e0eb190e3d', name: 'short', state: 'failed' },
];
const columns = [
  { header: 'ID', value: (r: (typeof rows)[number]) => r.id, keep: true },
  { header: 'NAME', value: (r: (typeof rows)[number]) => r.name },
  { header: 'STATE', value: (r: (typeof rows)[number]) => r.state },
];

test('tables fit the width, keep the columns marked keep, and mark what they cut', () => {
  const table = formatTable(rows, columns, 80);
  const lines = table.split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) assert.ok(visibleLength(line) <= 80, line);
  const cut = itemAt(lines, 1);
  assert.ok(cut.startsWith(itemAt(rows, 0).id), 'ids are never shortened');
  assert.match(cut, /…/);
  assert.match(itemAt(lines, 2), /short +failed$/);
});

test('a table that fits is left as it is', () => {
  const table = formatTable(
    [{ a: 'x', b: 'y' }],
    [
      { header: 'A', value: (r: { a: string }) => r.a },
      { header: 'B', value: (r: { b: string }) => r.b },
    ],
    80,
  );
  assert.equal(table, 'A  B\nx  y');
});

test('colours only on a terminal, never with NO_COLOR', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  assert.equal(coloursWanted(tty, {}), true);
  assert.equal(coloursWanted(pipe, {}), false);
  assert.equal(coloursWanted(tty, { NO_COLOR: '1' }), false);
  assert.equal(paint('ok', 'green', true), '\u001b[32mok\u001b[39m');
  assert.equal(paint('ok', 'green', false), 'ok');
  assert.equal(visibleLength(paint('ok', 'green', true)), 2);
});

test("times name their zone: this computer's, or the one asked for", () => {
  const moment = '2026-07-01T12:30:00Z';
  assert.equal(formatTime(moment, 'UTC'), '2026-07-01 12:30 UTC');
  assert.equal(formatTime(moment, 'Europe/Berlin'), '2026-07-01 14:30 GMT+2');
  assert.equal(formatTime(moment, 'America/New_York'), '2026-07-01 08:30 EDT');
  assert.match(formatTime(moment), / \S+$/, 'the local zone is named too');
  const thisYear = `${new Date().getUTCFullYear()}-03-04T05:06:00Z`;
  assert.equal(formatShortTime(thisYear, 'UTC'), '03-04 05:06 UTC');
  assert.equal(formatShortTime('2001-03-04T05:06:00Z', 'UTC'), '2001-03-04');
  assert.equal(formatTime(moment, 'Mars/Olympus_Mons'), formatTime(moment), 'an unknown zone falls back to the local one, named');
  assert.equal(formatTime(null), '-');
  assert.equal(formatTime('not a time'), 'not a time');
});

test('counts carry their noun in the right number', () => {
  assert.equal(counted(0, 'error'), '0 errors');
  assert.equal(counted(1, 'error'), '1 error');
  assert.equal(counted(2, 'error'), '2 errors');
  assert.equal(counted(1, 'failed try', 'failed tries'), '1 failed try');
  assert.equal(counted(3, 'failed try', 'failed tries'), '3 failed tries');
});
