import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration } from './units.js';

test('bytes read like a person writes them, in decimal units unless binary ones are asked for', { timeout: 5_000 }, () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(127_000_000), '127 MB');
  assert.equal(formatBytes(1_480_000_000), '1.5 GB');
  assert.equal(formatBytes(undefined), '-');
  assert.equal(formatBytes(null), '-');
  assert.equal(formatBytes(Number.NaN), '-');
  assert.equal(formatBytes(1023, 'binary'), '1023 B');
  assert.equal(formatBytes(1536, 'binary'), '1.5 KiB');
  assert.equal(formatBytes(200 * 2 ** 20, 'binary'), '200 MiB');
  assert.equal(formatBytes(3 * 2 ** 50, 'binary'), '3.0 PiB');
  // A rate of a fraction of a byte per second is shown in whole bytes.
  assert.equal(formatBytes(512.4), '512 B');
});

test('durations read like a person writes them; a span that is not one is "-"', { timeout: 5_000 }, () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(4_400), '4s');
  assert.equal(formatDuration(62_000), '1m 02s');
  assert.equal(formatDuration(3_725_000), '1h 02m');
  assert.equal(formatDuration(-1), '-');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '-');
});
