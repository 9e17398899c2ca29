import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressLine } from './progress-line.js';

function terminal(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  return { stream: { isTTY, columns: 200, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream, written };
}

test('a vault backup draws the operation, its time and the bar in binary units, then wipes the line', { timeout: 5_000 }, () => {
  const { stream, written } = terminal(true);
  const progress = new ProgressLine('backup', true, stream);
  progress.update({ filesDone: 3, filesTotal: 12, bytesDone: 3 * 2 ** 20, bytesTotal: 12 * 2 ** 20, errors: 2 });
  assert.equal(written.length, 1);
  assert.match(written[0]!, /^\r\u001b\[2Kbackup \d+s {2}\[#{5}-{15}\] {2}25% {2}3\.0 MiB \/ 12\.0 MiB {2}.*files 3\/12 {2}2 errors$/);
  progress.done();
  assert.equal(written.at(-1), '\r\u001b[2K');
});

test('nothing is drawn off a terminal, with --json, or before anything is known', { timeout: 5_000 }, () => {
  const figures = { filesDone: 1, filesTotal: 2, bytesDone: 10, bytesTotal: 20, errors: 0 };
  const log = terminal(false);
  new ProgressLine('restore', true, log.stream).update(figures);
  const json = terminal(true);
  new ProgressLine('restore', false, json.stream).update(figures);
  const early = terminal(true);
  new ProgressLine('restore', true, early.stream).update({ filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, errors: 0 });
  assert.deepEqual([log.written, json.written, early.written], [[], [], []]);
});
