import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveLine } from './live-line.js';

/** A stream that records what is written, a terminal of `columns` columns or (without) not a terminal. */
function screen(columns?: number): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY: columns !== undefined, columns, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

test('on a terminal each update redraws the one line, cut to the width; keep moves below it, clear wipes it', { timeout: 5_000 }, () => {
  const { stream, written } = screen(10);
  const line = new LiveLine(stream, 'lines');
  assert.equal(line.live, true);
  line.draw('0123456789abc');
  line.draw('short');
  assert.deepEqual(written, ['\r\u001b[2K012345678', '\r\u001b[2Kshort']);
  line.keep();
  line.keep();
  assert.deepEqual(written.slice(2), ['\n'], 'a second keep adds nothing');
  line.draw('again');
  line.clear();
  line.clear();
  assert.deepEqual(written.slice(3), ['\r\u001b[2Kagain', '\r\u001b[2K']);
});

test('off a terminal updates are lines of their own, or nothing when silent', { timeout: 5_000 }, () => {
  const log = screen();
  const lines = new LiveLine(log.stream, 'lines');
  assert.equal(lines.live, false);
  lines.draw('first');
  lines.draw('second');
  lines.keep();
  lines.clear();
  assert.deepEqual(log.written, ['first\n', 'second\n']);
  const quiet = screen();
  const silent = new LiveLine(quiet.stream, 'silent');
  silent.draw('first');
  silent.keep();
  silent.clear();
  assert.deepEqual(quiet.written, []);
});
