import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { SnapshotInfo } from '../../engine/vault/snapshot.js';
import { configurationTag } from './backup-job.js';
import { snapshotsToForget } from './cleanup-job.js';

function snapshot(id: number, configurationId: string): SnapshotInfo {
  return { id, hash: `h${id}`, time: '2026-06-10T12:00:00Z', tags: [configurationTag(configurationId)] } as SnapshotInfo;
}

it("forgets the snapshots each configuration's plan lets go, and nothing else", () => {
  const snapshots = [snapshot(1, 'a'), snapshot(2, 'a'), snapshot(3, 'a'), snapshot(4, 'b'), snapshot(5, 'gone')];
  const chosen = snapshotsToForget(snapshots, [
    { configurationId: 'a', snapshotIds: [1, 2] },
    { configurationId: 'b', snapshotIds: [] },
  ]);
  assert.deepEqual(chosen.map((s) => s.id).sort(), [1, 2]);
});

it("refuses a snapshot id that belongs to another configuration's backups", () => {
  const snapshots = [snapshot(1, 'a'), snapshot(2, 'b')];
  assert.deepEqual(snapshotsToForget(snapshots, [{ configurationId: 'a', snapshotIds: [2, 99] }]), []);
});
