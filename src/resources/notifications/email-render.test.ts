import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryLinks } from './delivery-links.js';
import { renderEmail } from './email-render.js';

const drillDocument = (state: 'passed' | 'failed') => ({
  type: `drill.${state}`,
  project_id: '123456',
  outcome: state === 'passed' ? 'success' : 'failure',
  drill: { id: 'd-1', name: 'www nightly', target_path: '/var/tmp/drills/www' },
  drill_run: {
    id: 'run-1',
    state,
    started_by: 'schedule',
    failure_reason: state === 'failed' ? 'The check failed: Exited with status 1.' : null,
    backup_id: 'b-1',
    restore_id: 'r-1',
    task_guid: 't-1',
    scheduled_time: '2026-12-04T03:30:00.000Z',
    created_time: '2026-12-04T03:30:01.000000Z',
    ended_time: '2026-12-04T03:30:41.000000Z',
    results: {
      restore: { state: 'completed', files_restored: 12, bytes_restored: 2048, errors: { count: 0, reason: '', first: [] } },
      check: { state: state === 'passed' ? 'SUCCEEDED' : 'FAILED', failure_reason: state === 'failed' ? 'Exited with status 1' : null },
    },
  },
  configuration: { id: 'c-1', name: 'www' },
  agent: { id: 'a-1', name: 'web-1' },
});

describe('drill e-mails', () => {
  it('a failed drill says so in the subject and gives the reason, the restore, the check and links', () => {
    const links = deliveryLinks('https://backup.example.com', '123456', 'drill.failed', 'run-1');
    assert.deepEqual(links, { console: 'https://backup.example.com/console#/drill-runs/run-1', api: 'https://backup.example.com/v2/123456/drill-runs/run-1' });
    const mail = renderEmail('drill.failed', drillDocument('failed'), links);
    assert.equal(mail.subject, '[Coffer] Restore drill FAILED: "www nightly" on "web-1"');
    assert.match(mail.text, /^Restore drill "www nightly" FAILED\./);
    assert.match(mail.text, /Restore: +completed, 12 files, 2\.0 KiB/);
    assert.match(mail.text, /Check: +FAILED \(Exited with status 1\)/);
    assert.match(mail.text, /Reason: The check failed: Exited with status 1\./);
    assert.match(mail.text, /Open in the console: https:\/\/backup\.example\.com\/console#\/drill-runs\/run-1/);
  });

  it('a passed drill has no reason line', () => {
    const mail = renderEmail('drill.passed', drillDocument('passed'), { console: null, api: null });
    assert.equal(mail.subject, '[Coffer] Restore drill passed: "www nightly" on "web-1"');
    assert.doesNotMatch(mail.text, /Reason:/);
  });
});
