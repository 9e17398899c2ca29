import { badRequest, forbidden } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { BodyCheck } from '../common/body-check.js';
import type { Agent } from './agent.js';
import { findAgent } from './agent.fetcher.js';
import { insertAgentRequest, recordAgentRequestResult, type AgentRequest } from './agent-request.js';
import { agentKeyForSecrets } from './agent-rsa-key.js';

export interface PasswordVerificationMessage {
  password: string;
  /** The agent whose vault is checked; null = the agent the request is sent to. */
  targetAgentId: string | null;
}

export function parsePasswordVerificationRequest(body: unknown): PasswordVerificationMessage {
  const check = BodyCheck.object(body);
  const password = check.string('encrypted_password_hex', { required: true, nonEmpty: true, maxLength: 16384 });
  const target = check.string('agent_id', { nullable: true, maxLength: 255 }) ?? null;
  check.done();
  return { password: password as string, targetAgentId: target };
}

/**
 * The agent checks the password against its own vault or, with `agent_id`, another agent's vault. The password is
 * sealed for the checking agent's key: under 2048 bits it is refused (409) before anything is stored.
 */
export async function requestPasswordVerification(ctx: AppContext, agent: Agent, message: PasswordVerificationMessage): Promise<string> {
  agentKeyForSecrets(agent);
  const target = message.targetAgentId === null ? agent : await findAgent(ctx.store.db, agent.projectId, message.targetAgentId);
  if (!target) throw badRequest('Validation failed.', [`agent_id ${message.targetAgentId} is not an agent of this project.`]);
  if (!target.vault.encrypted) throw forbidden("Encryption is not enabled for this agent's vault.");
  return ctx.store.transaction(async (tx) => {
    const requestId = await insertAgentRequest(tx, { projectId: agent.projectId, agentId: agent.id, kind: 'vault_password_verification', subjectId: target.id, details: {} });
    const body: Record<string, unknown> = { agent: { id: agent.id }, request_id: requestId, encrypted_password_hex: message.password };
    if (target.id !== agent.id) body.vault = { id: target.vault.id, agent: { id: target.id } };
    await ctx.events.record(tx, { projectId: agent.projectId, agentId: agent.id, subjectId: requestId, name: 'vault_password_verify', body });
    return requestId;
  });
}

export function parsePasswordVerificationReport(body: unknown): { verified: boolean } {
  const check = BodyCheck.object(body);
  const verified = check.boolean('verified', { required: true });
  check.done();
  return { verified: verified as boolean };
}

/** Stored as `vault_password_verified` with the answer as `valid` (docs/reference/rackspace-cloud-backup-v2.md §5 row 16). */
export async function reportPasswordVerification(ctx: AppContext, request: AgentRequest, report: { verified: boolean }): Promise<void> {
  await recordAgentRequestResult(ctx, request, 'vault_password_verified', { agent: { id: request.agent_id }, request_id: request.id, valid: report.verified });
}
