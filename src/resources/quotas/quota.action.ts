import type { Kysely } from 'kysely';
import { notFound } from '../../errors/app-error.js';
import type { Database } from '../../store/database.js';
import { ensureProject } from '../identity/projects.js';
import { projectVaultUsage, readVaultQuota, type QuotaLimits, type VaultQuota } from '../vaults/vault-quota.js';

const limitOf = (value: number | string | null): number | null => (value === null ? null : Number(value));

export async function readProjectQuota(db: Kysely<Database>, projectId: string) {
  const row = await db.selectFrom('projects').select(['quota_bytes', 'quota_files']).where('id', '=', projectId).executeTakeFirst();
  const limits: QuotaLimits = { bytes: limitOf(row?.quota_bytes ?? null), files: limitOf(row?.quota_files ?? null) };
  return { limits, usage: await projectVaultUsage(db, projectId) };
}

export async function readAgentQuota(db: Kysely<Database>, vaultId: string): Promise<VaultQuota> {
  const quota = await readVaultQuota(db, vaultId);
  if (!quota) throw notFound('Agent not found.');
  return quota;
}

export async function writeProjectQuota(db: Kysely<Database>, projectId: string, update: Partial<QuotaLimits>): Promise<void> {
  await ensureProject(db, projectId);
  await db.updateTable('projects').set(columns(update)).where('id', '=', projectId).execute();
}

export async function writeAgentQuota(db: Kysely<Database>, agentId: string, update: Partial<QuotaLimits>): Promise<void> {
  await db.updateTable('agents').set(columns(update)).where('id', '=', agentId).execute();
}

function columns(update: Partial<QuotaLimits>): { quota_bytes?: number | null; quota_files?: number | null } {
  const set: { quota_bytes?: number | null; quota_files?: number | null } = {};
  if (update.bytes !== undefined) set.quota_bytes = update.bytes;
  if (update.files !== undefined) set.quota_files = update.files;
  return set;
}
