import { badRequest, forbidden } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { BodyCheck } from '../common/body-check.js';
import type { Agent } from './agent.js';
import { insertAgentRequest, recordAgentRequestResult, type AgentRequest } from './agent-request.js';
import { recoveryKeyStore } from '../recovery-keys/recovery-key.store.js';
import { agentKeyForSecrets } from './agent-rsa-key.js';

export interface VaultEncryptionRequestMessage {
  oldPassword: string | null;
  newPassword: string;
}

/** Passwords are the agent's RSA-encrypted hex strings, kept verbatim (the docs' examples even contain spaces). */
export function parseVaultEncryptionRequest(body: unknown): VaultEncryptionRequestMessage {
  const check = BodyCheck.object(body);
  const oldPassword = check.string('old_encrypted_password_hex', { nullable: true, maxLength: 16384 }) ?? null;
  const newPassword = check.string('new_encrypted_password_hex', { required: true, nonEmpty: true, maxLength: 16384 });
  check.done();
  return { oldPassword: oldPassword === '' ? null : oldPassword, newPassword: newPassword as string };
}

/**
 * Enabling needs an unencrypted vault and no old password; changing needs the old one. The agent gets
 * `vault_encryption_enable` or `vault_encryption_change` with the request id. The passwords are sealed for the
 * agent's registered key, so an agent whose key is under 2048 bits (or unreadable) is refused (409) and nothing is
 * stored or sent.
 */
export async function requestVaultEncryption(ctx: AppContext, agent: Agent, message: VaultEncryptionRequestMessage): Promise<string> {
  agentKeyForSecrets(agent);
  if (message.oldPassword !== null && !agent.vault.encrypted) throw forbidden('An old password was supplied, but the vault is unencrypted.');
  if (message.oldPassword === null && agent.vault.encrypted) throw forbidden('The vault is encrypted: the old password is required to change it.');
  const action = message.oldPassword === null ? 'enable' : 'change';
  return ctx.store.transaction(async (tx) => {
    const requestId = await insertAgentRequest(tx, { projectId: agent.projectId, agentId: agent.id, kind: 'vault_encryption', details: { action } });
    const body: Record<string, unknown> =
      action === 'enable'
        ? { agent: { id: agent.id }, request_id: requestId, encrypted_password_hex: message.newPassword }
        : { agent: { id: agent.id }, request_id: requestId, old_encrypted_password_hex: message.oldPassword, new_encrypted_password_hex: message.newPassword };
    await ctx.events.record(tx, { projectId: agent.projectId, agentId: agent.id, subjectId: requestId, name: `vault_encryption_${action}`, body });
    return requestId;
  });
}

export function parseVaultEncryptionReport(body: unknown, request: AgentRequest): { action: 'enabled' | 'changed'; succeeded: boolean } {
  const check = BodyCheck.object(body);
  const action = check.oneOf('action', ['enabled', 'changed'] as const, { required: true });
  const succeeded = check.boolean('succeeded', { required: true });
  check.done();
  const asked = (JSON.parse(request.details) as { action: string }).action;
  if (`${asked}d` !== action) throw badRequest('Validation failed.', [`action must be "${asked}d" for this request.`]);
  return { action: action as 'enabled' | 'changed', succeeded: succeeded as boolean };
}

/**
 * The agent's answer; a successful enable marks the vault encrypted and makes it private: the server's recovery copy
 * of its key is dropped in the same transaction, so from then on only the password opens it on another host.
 */
export async function reportVaultEncryption(ctx: AppContext, request: AgentRequest, report: { action: 'enabled' | 'changed'; succeeded: boolean }): Promise<void> {
  await recordAgentRequestResult(ctx, request, `vault_encryption_${report.action}`, { agent: { id: request.agent_id }, request_id: request.id, succeeded: report.succeeded }, async (tx) => {
    if (!report.succeeded || report.action !== 'enabled') return;
    const agent = await tx.db.updateTable('agents').set({ vault_encrypted: 1, key_custody: 'private' }).where('id', '=', request.agent_id).returning('vault_id').executeTakeFirst();
    if (agent) await recoveryKeyStore.dropVaultCopy(tx.db, agent.vault_id);
  });
}
