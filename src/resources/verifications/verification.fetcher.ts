import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { unknownMarker } from '../common/v2-pagination.js';
import { verificationFromRow, verificationRunFromRow, type VaultVerification, type VerificationRun } from './verification.js';

/** A run of the caller's project; another project's run does not exist (404). */
export async function fetchVerificationRun(db: Kysely<Database>, projectId: string, id: string): Promise<VerificationRun> {
  const row = await db.selectFrom('verification_runs').selectAll().where('id', '=', id).where('project_id', '=', projectId).executeTakeFirst();
  if (!row) throw notFound('Verification run not found.');
  return verificationRunFromRow(row);
}

export async function findVerificationSettings(db: Kysely<Database>, agentId: string): Promise<VaultVerification | undefined> {
  const row = await db.selectFrom('vault_verifications').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
  return row ? verificationFromRow(row) : undefined;
}

/** The agent's runs, newest first, paged by keyset: `marker` is the id of the last run seen (404 if it is not the agent's). */
export async function listVerificationRuns(db: Kysely<Database>, agentId: string, options: { limit: number; marker?: string }): Promise<VerificationRun[]> {
  let query = db.selectFrom('verification_runs').selectAll().where('agent_id', '=', agentId);
  if (options.marker !== undefined) {
    const marker = await db.selectFrom('verification_runs').select('seq').where('id', '=', options.marker).where('agent_id', '=', agentId).executeTakeFirst();
    if (!marker) throw unknownMarker(options.marker);
    query = query.where('seq', '<', marker.seq);
  }
  return (await query.orderBy('seq', 'desc').limit(options.limit).execute()).map(verificationRunFromRow);
}
