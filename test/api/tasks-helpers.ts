import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { ApiResponse, TestServer } from '../helpers/test-server.js';
import type { World } from '../helpers/fixtures.js';

/** Helpers shared by the tasks request tests (V3 clients send `Authorization: bearer`). */
export interface V3Options {
  body?: unknown;
  raw?: string;
  contentType?: string;
}

export function v3(t: TestServer) {
  return (method: string, path: string, token: string | null, options: V3Options = {}): Promise<ApiResponse> =>
    t.request(method, path, { token: null, headers: token === null ? {} : { authorization: `bearer ${token}` }, ...options });
}

export const V3_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export const TASK_KEYS = [
  'guid',
  'created_at',
  'updated_at',
  'sequence_id',
  'name',
  'command',
  'user',
  'state',
  'memory_in_mb',
  'disk_in_mb',
  'log_rate_limit_in_bytes_per_second',
  'result',
  'droplet_guid',
  'relationships',
  'metadata',
  'links',
];

export const NOT_AUTHORIZED = { errors: [{ detail: 'You are not authorized to perform the requested action', title: 'CF-NotAuthorized', code: 10003 }] };
export const TASK_NOT_FOUND = { errors: [{ detail: 'Task not found', title: 'CF-ResourceNotFound', code: 10010 }] };
export const AGENT_NOT_FOUND = { errors: [{ detail: 'Agent not found', title: 'CF-ResourceNotFound', code: 10010 }] };

export function unprocessable(detail: string) {
  return { errors: [{ detail, title: 'CF-UnprocessableEntity', code: 10008 }] };
}

export function badQuery(detail: string) {
  return { errors: [{ detail: `The query parameter is invalid: ${detail}`, title: 'CF-BadQueryParameter', code: 10005 }] };
}

export async function createTask(t: TestServer, agentId: string, token: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await v3(t)('POST', `/v3/agents/${agentId}/tasks`, token, { body: { command: 'echo task', ...body } });
  assert.equal(res.status, 202, res.text);
  return res.body;
}

/** The agent's JSON Patch state report. */
export function report(t: TestServer, guid: string, token: string, operations: unknown) {
  return v3(t)('PATCH', `/v3/tasks/${guid}`, token, { raw: JSON.stringify(operations), contentType: 'application/json-patch+json' });
}

export async function reportState(t: TestServer, w: World, guid: string, state: string, failureReason?: string) {
  const operations: unknown[] = [{ op: 'replace', path: '/state', value: state }];
  if (failureReason !== undefined) operations.push({ op: 'replace', path: '/result/failure_reason', value: failureReason });
  const res = await report(t, guid, w.agent.token, operations);
  assert.equal(res.status, 200, res.text);
  return res.body;
}

/** Sets a task's stored times directly (tests of time filters and the sweeper cannot wait for the clock). */
export async function setTaskTimes(t: TestServer, guid: string, times: { created_at?: string; updated_at?: string }) {
  await t.server.ctx.store.db.updateTable('tasks').set(times).where('id', '=', guid).execute();
}

/**
 * A backup of `agent` as the backups resource stores it: by default restorable (completed, with a snapshot, of a
 * configuration that keeps backups forever, in the agent's attached vault) — what a task's droplet_guid may name.
 */
export async function insertBackup(
  t: TestServer,
  projectId: string,
  agent: { id: string; vaultId: string },
  options: { state?: string; snapshotId?: number | null; endedTime?: string; retentionDays?: number | null; vaultId?: string } = {},
): Promise<string> {
  const db = t.server.ctx.store.db;
  const id = randomUUID();
  const now = new Date().toISOString();
  let configurationId: string | null = null;
  if (options.retentionDays !== null) {
    configurationId = randomUUID();
    await db
      .insertInto('configurations')
      .values({
        id: configurationId,
        project_id: projectId,
        agent_id: agent.id,
        name: `for ${id}`,
        enabled: 1,
        schedule: null,
        retention_days: options.retentionDays ?? 0,
        inclusions: '[]',
        exclusions: '[]',
        notifications: '[]',
        deleted: 0,
        last_completed_backup_id: null,
        next_scheduled_time: null,
        created_at: now,
        updated_at: now,
        version_no: 1,
      })
      .execute();
  }
  await db
    .insertInto('jobs')
    .values({
      id,
      project_id: projectId,
      kind: 'backup',
      agent_id: agent.id,
      configuration_id: configurationId,
      backup_id: null,
      vault_id: options.vaultId ?? agent.vaultId,
      state: options.state ?? 'completed',
      started_by: 'start_requested',
      started_time: now,
      ended_time: options.endedTime ?? now,
      snapshot_id: options.snapshotId === undefined ? 7 : options.snapshotId,
      details: '{}',
      results: '{}',
      errors: JSON.stringify({ count: 0, reason: '', diagnostics: '', list: [] }),
      scheduled_time: null,
      created_at: now,
      updated_at: now,
      version_no: 1,
    })
    .execute();
  return id;
}

export async function eventsOf(t: TestServer, subjectId: string) {
  const rows = await t.server.ctx.store.db.selectFrom('events').selectAll().where('subject_id', '=', subjectId).orderBy('id').execute();
  return rows.map((row) => ({ name: row.name, agentId: row.agent_id, projectId: row.project_id, body: JSON.parse(row.body) }));
}

/**
 * A token of a user who holds no Coffer role: the API never creates one (a user needs at least one role), so the test
 * writes it directly; it stands for a Cloud Foundry token without the read and write scopes.
 */
export async function roleLessToken(t: TestServer, projectId: string): Promise<string> {
  const db = t.server.ctx.store.db;
  const userId = randomUUID();
  await db
    .insertInto('users')
    .values({ id: userId, username: `nobody-${userId.slice(0, 8)}`, password_hash: 'x', project_id: projectId, roles: '[]', is_admin: 0, created_at: new Date().toISOString() })
    .execute();
  const { issueToken } = await import('../../src/resources/identity/tokens.js');
  return (await issueToken(db, { userId, agentId: null, projectId }, 3600)).id;
}
