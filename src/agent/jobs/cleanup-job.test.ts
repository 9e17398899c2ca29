import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { SnapshotInfo } from '../../engine/vault/snapshot.js';
import type { ConfigurationEntry } from '../configuration-document.js';
import { configurationTag } from './backup-job.js';
import { expiredSnapshots } from './cleanup-job.js';

const DAY = 86_400_000;
const now = Date.parse('2026-06-10T12:00:00Z');

function snapshot(id: number, daysAgo: number, configurationId: string): SnapshotInfo {
  return { id, hash: `h${id}`, time: new Date(now - daysAgo * DAY).toISOString(), tags: [configurationTag(configurationId)] } as SnapshotInfo;
}

function configuration(id: string, days: number): ConfigurationEntry {
  return { id, name: id, enabled: true, retention: { days }, times: null, inclusions: [], exclusions: [] };
}

it('lets go of snapshots older than their configuration retention, keeping each configuration newest one', () => {
  const snapshots = [snapshot(1, 40, 'a'), snapshot(2, 31, 'a'), snapshot(3, 29, 'a'), snapshot(4, 50, 'b'), snapshot(5, 45, 'b')];
  const expired = expiredSnapshots(snapshots, [configuration('a', 30), configuration('b', 30)], now);
  assert.deepEqual(expired.map((s) => s.id).sort(), [1, 2, 4]);
});

it('keeps everything for retention 0 and for configurations the agent no longer has', () => {
  const snapshots = [snapshot(1, 400, 'a'), snapshot(2, 300, 'a'), snapshot(3, 400, 'gone'), snapshot(4, 300, 'gone')];
  assert.deepEqual(expiredSnapshots(snapshots, [configuration('a', 0)], now), []);
});

it('does not let the newest snapshot of a configuration go even when every snapshot is past retention', () => {
  const snapshots = [snapshot(1, 10, 'a'), snapshot(2, 9, 'a')];
  assert.deepEqual(expiredSnapshots(snapshots, [configuration('a', 1)], now).map((s) => s.id), [1]);
});
