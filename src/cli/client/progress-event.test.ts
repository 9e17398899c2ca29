import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressMeter } from '../../terminal/progress-meter.js';
import { sampleFromEvent } from './progress-event.js';

const event = (seconds: number, done: number, total = 100_000_000) => ({
  id: String(1000000000 + seconds),
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString(),
  event: 'backup_progress',
  bytes_completed: done,
  bytes_remaining: total - done,
  total_bytes: total,
});

test('progress events become samples; a total comes from bytes_remaining when total_bytes is missing', () => {
  assert.deepEqual(sampleFromEvent({ ...event(0, 10), total_bytes: undefined }), { at: Date.UTC(2026, 0, 1), bytesDone: 10, bytesTotal: 100_000_000, filesDone: undefined, filesTotal: undefined });
  assert.equal(sampleFromEvent({ event: 'backup_in_progress' }), undefined);
});

test('the bar shows percent, bytes, rate, ETA and files', () => {
  const meter = new ProgressMeter();
  meter.add(sampleFromEvent(event(0, 0))!);
  assert.equal(meter.rate(), undefined);
  meter.add(sampleFromEvent(event(10, 25_000_000))!);
  assert.equal(meter.rate(), 2_500_000);
  assert.equal(meter.etaMs(), 30_000);
  assert.equal(meter.render({ done: 30, total: 120 }), '[#####---------------]  25%  25.0 MB / 100 MB  2.5 MB/s  ETA 30s  files 30/120');
});

test('the rate follows the last 15 seconds', () => {
  const meter = new ProgressMeter();
  meter.add(sampleFromEvent(event(0, 0))!);
  meter.add(sampleFromEvent(event(10, 50_000_000))!);
  meter.add(sampleFromEvent(event(20, 51_000_000))!);
  meter.add(sampleFromEvent(event(30, 52_000_000))!);
  assert.equal(meter.rate(), 100_000);
});

test('nothing known yet draws nothing (no stray "0 B"); a file count shows as soon as files are counted', () => {
  const meter = new ProgressMeter();
  meter.add(sampleFromEvent({ ...event(0, 0, 0), files_completed: 0, total_files: 0 })!);
  assert.equal(meter.render(), '');
  meter.add(sampleFromEvent({ ...event(1, 0, 5_000_000), files_completed: 0, total_files: 40 })!);
  assert.match(meter.render(), /^\[-{20}\] {3}0% {2}0 B \/ 5\.0 MB .*files 0\/40$/);
  meter.add(sampleFromEvent({ ...event(2, 5_000_000, 5_000_000), files_completed: 40, total_files: 40 })!);
  assert.match(meter.render(), /^\[#{20}\] 100% {2}5\.0 MB \/ 5\.0 MB .*files 40\/40$/);
});
