import { forbidden } from '../../errors/app-error.js';
import type { Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import { CleanupState } from '../../domain/job-states.js';

/** Cleanup states in which the agent is pruning: the vault's history may shrink then. */
const PRUNING_STATES = [CleanupState.in_progress, CleanupState.stop_requested];
/** What a cleanup (forget + prune) may delete: snapshots past retention, the index files and packs it rewrote. */
const PRUNABLE_KINDS = new Set(['data', 'index', 'snapshots']);

/**
 * Append-only history (restic's rest-server `--append-only` is the model): an agent creates vault files but never
 * overwrites them, and deletes them only while the server has a cleanup of that agent running, and then only the
 * kinds a cleanup removes. Locks are the exception: they are created and deleted all the time and hold no history.
 * Key files may be deleted only while a vault password change the user asked for is waiting for the agent.
 * So a stolen agent token can add backups but not destroy the ones already made.
 */
export function mayOverwrite(name: string): boolean {
  return name.startsWith('locks/');
}

export function appendOnlyOverwrite(): Error {
  return forbidden('This vault is append-only: an existing vault file cannot be replaced.');
}

export async function assertMayDelete(ctx: AppContext, caller: Caller, name: string): Promise<void> {
  if (name.startsWith('locks/')) return;
  if (caller.kind !== 'agent') throw forbidden('Only the agent that owns a vault may delete from it.');
  const kind = name.split('/')[0]!;
  if (PRUNABLE_KINDS.has(kind)) {
    const cleanup = await ctx.store.db
      .selectFrom('jobs')
      .select('id')
      .where('agent_id', '=', caller.agentId)
      .where('kind', '=', 'cleanup')
      .where('state', 'in', PRUNING_STATES)
      .limit(1)
      .executeTakeFirst();
    if (cleanup) return;
    throw forbidden(`This vault is append-only: ${kind} files can be deleted only while a cleanup of this agent is in progress.`);
  }
  if (kind === 'keys') {
    const change = await ctx.store.db
      .selectFrom('agent_requests')
      .select('id')
      .where('agent_id', '=', caller.agentId)
      .where('kind', '=', 'vault_encryption')
      .where('reported_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    if (change) return;
    throw forbidden('This vault is append-only: a key file can be deleted only while a vault password change is waiting for this agent.');
  }
  throw forbidden('This vault is append-only: its config cannot be deleted.');
}
