// The report action copies the job shallowly before applying a patch (job-patch.action.ts): that is only sound while
// every patchable field of every job kind replaces the draft's members and never changes an object the job holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobKind } from '../../domain/job-states.js';
import { JOB_KIND_RULES } from './job-kind-rules.js';
import type { Job } from './job.js';

/** Values to try on each field; each field takes the first its parser accepts. */
const CANDIDATES: unknown[] = [7, '2026-01-02T03:04:05Z', [1, 2], { count: 1, reason: 'r', diagnostics: 'd', list: [{ path: '/a', type: 'file' }] }];

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function job(kind: JobKind): Job {
  return {
    seq: 1,
    id: 'job-1',
    projectId: 'p',
    kind,
    agentId: 'a',
    configurationId: null,
    backupId: null,
    state: 'in_progress',
    startedBy: 'start_requested',
    startedTime: null,
    endedTime: null,
    snapshotId: null,
    details: { nested: { kept: true } },
    results: { files_searched: 1, bytes_before: 1, snapshot_ids: [9] },
    errors: { count: 0, reason: '', diagnostics: '', list: [{ path: '/x' }] },
    scheduledTime: null,
    vaultId: null,
    prunedBy: null,
    admission: null,
    createdAt: '2026-01-01T00:00:00.000000Z',
    updatedAt: '2026-01-01T00:00:00.000000Z',
    version: 1,
  };
}

describe('job patch fields', { timeout: 10_000 }, () => {
  for (const kind of Object.keys(JOB_KIND_RULES) as JobKind[]) {
    it(`${kind}: every field's write leaves the objects of the job it was copied from as they were`, () => {
      const { patch, machine } = JOB_KIND_RULES[kind];
      for (const field of patch.paths) {
        const candidates = field.path === '/state' ? [machine.states[0]] : CANDIDATES;
        const value = candidates.map((candidate) => field.parse?.(candidate)).find((verdict) => verdict?.ok);
        assert.ok(value?.ok, `${kind} ${field.path}: no candidate value is accepted`);
        const original = deepFreeze(job(kind));
        const draft = { ...original };
        // A write into a frozen object throws (modules are strict code).
        field.write(draft, value.value);
        assert.deepEqual(original, job(kind), `${kind} ${field.path} changed the original job`);
        assert.notDeepEqual(draft, original, `${kind} ${field.path} wrote nothing`);
      }
    });
  }
});
