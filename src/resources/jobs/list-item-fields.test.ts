// A job list reads only the columns of the fields its items name (listItem.fields) and keeps an item while those
// columns are unchanged, so a presenter that read any other field would show a value the page never read. The types
// forbid it; this checks it at run time too, casts included, for every job kind's list item.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Urls } from '../../server/links.js';
import { BACKUP_FIELDS, presentBackup, type BackupView } from '../backups/backup.presenter.js';
import { CLEANUP_FIELDS, presentCleanup } from '../cleanups/cleanup.presenter.js';
import { presentRestoreListItem, RESTORE_FIELDS } from '../restores/restore.presenter.js';
import type { Job } from './job.js';

const job: Job = {
  seq: 7,
  id: 'job-1',
  projectId: '123456',
  kind: 'backup',
  agentId: 'agent-1',
  configurationId: 'configuration-1',
  backupId: 'backup-1',
  state: 'completed',
  startedBy: 'start_requested',
  startedTime: '2026-01-01T00:00:00.000000Z',
  endedTime: '2026-01-01T00:01:00.000000Z',
  snapshotId: 3,
  details: { destination_path: '/restore', overwrite_files: true, inclusions: [{ path: '/a' }], exclusions: [] },
  results: { bytes_before: 5, bytes_after: 4, snapshot_ids: [1], files_restored: 2, bytes_restored: 9, files_searched: 3 },
  errors: { count: 1, reason: 'r', diagnostics: 'd', list: [{ path: '/x' }] },
  scheduledTime: null,
  vaultId: 'vault-1',
  prunedBy: null,
  admission: null,
  createdAt: '2026-01-01T00:00:00.000000Z',
  updatedAt: '2026-01-01T00:02:00.000000Z',
  version: 4,
};

/** `job` with only `fields` readable: reading any other field throws. */
function only(fields: readonly (keyof Job)[]): Job {
  return new Proxy(job, {
    get(target, field) {
      if (!fields.includes(field as keyof Job)) throw new Error(`the presenter read ${String(field)}, which is not among its fields`);
      return target[field as keyof Job];
    },
  });
}

const urls = new Urls('https://backup.example', '123456');
const backupView: BackupView = {
  restorability: { projectId: '123456', keepAll: new Set(), keptSince: new Map([['configuration-1', '2025-12-01T00:00:00.000000Z']]), kept: new Set(), vaultAgents: new Map([['vault-1', 'agent-1']]) },
  queue: new Map(),
};

describe('job list items read only their fields', { timeout: 10_000 }, () => {
  it('cleanups', () => {
    assert.deepEqual(presentCleanup(only(CLEANUP_FIELDS), urls), presentCleanup(job, urls));
  });
  it('restores', () => {
    assert.deepEqual(presentRestoreListItem(only(RESTORE_FIELDS), urls), presentRestoreListItem(job, urls));
  });
  it('backups', () => {
    const shown = presentBackup(only(BACKUP_FIELDS), urls, backupView);
    assert.deepEqual(shown, presentBackup(job, urls, backupView));
    assert.equal(shown.restorable, true, 'the restorable branch that reads the most fields ran');
  });
  it('a presenter that reads another field is caught', () => {
    assert.throws(() => presentCleanup(only(CLEANUP_FIELDS.filter((field) => field !== 'errors')), urls), /read errors/);
  });
});
