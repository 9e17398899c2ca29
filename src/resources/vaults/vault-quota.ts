import type { Kysely } from 'kysely';
import { AppError } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import type { Database } from '../../store/database.js';

export interface QuotaLimits {
  /** null: unlimited. */
  bytes: number | null;
  files: number | null;
}

export interface QuotaUsage {
  bytes: number;
  files: number;
}

export interface VaultQuota {
  agentId: string;
  projectId: string;
  agent: { limits: QuotaLimits; usage: QuotaUsage };
  project: { limits: QuotaLimits; usage: QuotaUsage };
}

const limitOf = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** The limits and usage that apply to a vault: its agent's and its project's (the sum over the project's agents). */
export async function readVaultQuota(db: Kysely<Database>, vaultId: string): Promise<VaultQuota | null> {
  const agent = await db
    .selectFrom('agents')
    .innerJoin('projects', 'projects.id', 'agents.project_id')
    .select([
      'agents.id',
      'agents.project_id',
      'agents.vault_bytes',
      'agents.vault_files',
      'agents.quota_bytes',
      'agents.quota_files',
      'projects.quota_bytes as project_quota_bytes',
      'projects.quota_files as project_quota_files',
    ])
    .where('agents.vault_id', '=', vaultId)
    .executeTakeFirst();
  if (!agent) return null;
  return {
    agentId: agent.id,
    projectId: agent.project_id,
    agent: {
      limits: { bytes: limitOf(agent.quota_bytes), files: limitOf(agent.quota_files) },
      usage: { bytes: Number(agent.vault_bytes), files: Number(agent.vault_files) },
    },
    project: {
      limits: { bytes: limitOf(agent.project_quota_bytes), files: limitOf(agent.project_quota_files) },
      usage: await projectVaultUsage(db, agent.project_id),
    },
  };
}

export async function projectVaultUsage(db: Kysely<Database>, projectId: string): Promise<QuotaUsage> {
  const row = await db
    .selectFrom('agents')
    .select((eb) => [eb.fn.sum<number | string | null>('vault_bytes').as('bytes'), eb.fn.sum<number | string | null>('vault_files').as('files')])
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return { bytes: Number(row?.bytes ?? 0), files: Number(row?.files ?? 0) };
}

/**
 * The one quota decision for a vault write, used by the server's vault endpoint and by any other path that lets an
 * agent store vault files. `incomingBytes` is how much the vault grows (the new file's size less the size of the file
 * it replaces; negative when it shrinks) and `isNewFile` whether the file count grows. A write past a limit is 507
 * naming the limit; a file that could not fit even into an empty vault is 413. Shrinking writes always pass.
 *
 * The check reads the usage recorded in the database: uploads running at the same moment can each pass and together
 * overshoot a limit by at most their own sizes.
 */
export async function assertWithinQuota(ctx: AppContext, vaultId: string, incomingBytes: number, isNewFile: boolean): Promise<void> {
  const quota = await readVaultQuota(ctx.store.db, vaultId);
  if (!quota) return;
  const scopes = [
    { name: `agent ${quota.agentId}`, ...quota.agent },
    { name: `project ${quota.projectId}`, ...quota.project },
  ];
  for (const scope of scopes) {
    const { limits, usage } = scope;
    if (incomingBytes > 0 && limits.bytes !== null) {
      if (incomingBytes > limits.bytes) {
        throw new AppError('payload_too_large', `The file (${incomingBytes} bytes) is larger than the vault quota of ${scope.name} (${limits.bytes} bytes).`);
      }
      if (usage.bytes + incomingBytes > limits.bytes) {
        throw new AppError('insufficient_storage', `The vault quota of ${scope.name} is ${limits.bytes} bytes; ${usage.bytes} are used and this file needs ${incomingBytes} more.`);
      }
    }
    if (isNewFile && limits.files !== null && usage.files + 1 > limits.files) {
      throw new AppError('insufficient_storage', `The vault quota of ${scope.name} is ${limits.files} files; ${usage.files} are stored.`);
    }
  }
}
