import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { AgentsTable, Database } from '../../src/store/database.js';
import type { Store, Tx } from '../../src/store/store.js';

const NOW = '2026-01-01T00:00:00.000000Z';

/**
 * An enabled agent's row, never seen, with a vault of its own. Columns with database defaults are left to them, which
 * the table's insert type does not know: hence the cast.
 */
export function agentRow(id: string, projectId: string, name = 'agent'): Insertable<AgentsTable> {
  const row = {
    id,
    project_id: projectId,
    name,
    version: '1.0',
    host: '{}',
    fingerprint: `fp-${id}`,
    password_hash: 'x',
    enabled: 1,
    rsa_public_key: '{}',
    vault_id: `vault-${id}`,
    vault_region: null,
    vault_use_internal: 1,
    vault_encrypted: 0,
    vault_bytes: 0,
    log_level: 'info',
    activation_mode: 'idle',
    registered_time: NOW,
    last_seen_at: null,
    last_heartbeat_event_at: null,
    registered_by: null,
    version_no: 1,
  };
  return row as unknown as Insertable<AgentsTable>;
}

/** A project, an agent and a cleanup job written straight into the store, for tests below the HTTP layer. */
export async function insertJobWithParents(db: Kysely<Database>): Promise<{ projectId: string; agentId: string; jobId: string }> {
  const projectId = `p-${randomUUID().slice(0, 8)}`;
  const agentId = randomUUID();
  const jobId = randomUUID();
  await db.insertInto('projects').values({ id: projectId, name: projectId, created_at: NOW }).execute();
  await db.insertInto('agents').values(agentRow(agentId, projectId)).execute();
  await db
    .insertInto('jobs')
    .values({
      id: jobId,
      project_id: projectId,
      kind: 'cleanup',
      agent_id: agentId,
      configuration_id: null,
      backup_id: null,
      state: 'start_requested',
      started_by: 'start_requested',
      started_time: null,
      ended_time: null,
      snapshot_id: null,
      details: '{}',
      results: '{}',
      errors: '{}',
      scheduled_time: null,
      created_at: NOW,
      updated_at: NOW,
      version_no: 1,
    })
    .execute();
  return { projectId, agentId, jobId };
}

/** Inserts one event in `tx` and returns its id. */
export async function insertEvent(tx: Tx | Store, projectId: string, name = 'test_event'): Promise<number> {
  const row = await tx.db
    .insertInto('events')
    .values({ project_id: projectId, agent_id: null, configuration_id: null, subject_id: null, name, time: NOW, body: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}
