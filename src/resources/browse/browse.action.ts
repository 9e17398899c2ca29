import { badRequest, conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import type { Agent } from '../agents/agent.js';
import { findAgent } from '../agents/agent.fetcher.js';
import { agentKeyForSecrets } from '../agents/agent-rsa-key.js';
import { insertAgentRequest, recordAgentRequestResult, type AgentRequest } from '../agents/agent-request.js';
import type { Job } from '../jobs/job.js';
import type { BackupBrowseMessage, HostBrowseMessage } from './browse-request.message.js';
import type { BrowseResultMessage } from './browse-result.message.js';
import { isOneOf } from '../../domain/job-states.js';
import { RESTORABLE_STATES } from '../backups/retention-candidates.js';

/** Asks the agent to list a directory of its host (`host_browse`). */
export async function requestHostBrowse(ctx: AppContext, agent: Agent, message: HostBrowseMessage): Promise<string> {
  return ctx.store.transaction(async (tx) => {
    const requestId = await insertAgentRequest(tx, { projectId: agent.projectId, agentId: agent.id, kind: 'host_browse', details: { path: message.path } });
    await ctx.events.record(tx, {
      projectId: agent.projectId,
      agentId: agent.id,
      subjectId: requestId,
      name: 'host_browse',
      body: { agent: { id: agent.id }, request_id: requestId, path: message.path, path_encoded: message.pathEncoded },
    });
    return requestId;
  });
}

/**
 * Asks an agent (`agent_id`) to list a directory inside a backup's snapshot (`backup_browse`). The backup needs a
 * snapshot (409 otherwise); an encrypted vault needs its password (400), which needs a browsing agent with an RSA
 * key of at least 2048 bits (409).
 */
export async function requestBackupBrowse(ctx: AppContext, backup: Job, message: BackupBrowseMessage): Promise<string> {
  const browser = await findAgent(ctx.store.db, backup.projectId, message.agentId);
  if (!browser) throw badRequest('Validation failed.', [`agent_id ${message.agentId} is not an agent of this project.`]);
  const owner = (await findAgent(ctx.store.db, backup.projectId, backup.agentId))!;
  if (backup.snapshotId === null || !isOneOf(RESTORABLE_STATES, backup.state)) {
    throw conflict('The backup has no snapshot to browse: it has not completed.');
  }
  if (owner.vault.encrypted && !message.encryptedPasswordHex) {
    throw badRequest('Validation failed.', ["encrypted_password_hex is required: the backup's vault is encrypted."]);
  }
  // A vault password goes only to an agent whose key is strong enough to keep it (409 otherwise).
  if (message.encryptedPasswordHex) agentKeyForSecrets(browser);
  return ctx.store.transaction(async (tx) => {
    const requestId = await insertAgentRequest(tx, {
      projectId: backup.projectId,
      agentId: browser.id,
      kind: 'backup_browse',
      subjectId: backup.id,
      details: { path: message.path },
    });
    await ctx.events.record(tx, {
      projectId: backup.projectId,
      agentId: browser.id,
      configurationId: backup.configurationId,
      subjectId: requestId,
      name: 'backup_browse',
      body: {
        agent: { id: browser.id, vault: { id: owner.vault.id, encrypted: owner.vault.encrypted } },
        configuration: { id: backup.configurationId },
        backup: { id: backup.id, snapshot_id: backup.snapshotId },
        request_id: requestId,
        path: message.path,
        path_encoded: message.pathEncoded,
        encrypted_password_hex: message.encryptedPasswordHex,
      },
    });
    return requestId;
  });
}

/** The agent's listing, kept as `host_browsed` or `backup_browsed`. */
export async function reportBrowseResult(ctx: AppContext, request: AgentRequest, result: BrowseResultMessage): Promise<void> {
  const name = request.kind === 'backup_browse' ? 'backup_browsed' : 'host_browsed';
  await recordAgentRequestResult(ctx, request, name, {
    agent: { id: request.agent_id },
    request_id: request.id,
    succeeded: result.succeeded,
    path: result.path,
    path_encoded: result.pathEncoded,
    items: result.items,
  });
}
