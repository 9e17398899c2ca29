import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { hashPassword, randomSecret } from '../identity/password.js';
import { agentFromRow, type Agent } from './agent.js';
import type { AgentRegisterMessage } from './agent-register.message.js';

/** Registers the agent and its (empty) vault; the password is returned once and only its hash is kept. */
export async function registerAgent(ctx: AppContext, projectId: string, registeredBy: string | null, message: AgentRegisterMessage): Promise<{ agent: Agent; password: string }> {
  const password = randomSecret(24);
  const passwordHash = await hashPassword(password);
  const id = randomUUID();
  const agent = await ctx.store.transaction(async (tx) => {
    const row = await tx.db
      .insertInto('agents')
      .values({
        id,
        project_id: projectId,
        name: message.name,
        version: message.version,
        host: JSON.stringify(message.host),
        fingerprint: message.fingerprint,
        password_hash: passwordHash,
        enabled: 1,
        rsa_public_key: JSON.stringify(message.rsaPublicKey),
        vault_id: randomUUID(),
        vault_region: message.host.region,
        vault_use_internal: message.useInternal ? 1 : 0,
        vault_encrypted: 0,
        vault_bytes: 0,
        vault_files: 0,
        log_level: 'info',
        activation_mode: 'idle',
        registered_time: isoNow(),
        last_seen_at: null,
        last_heartbeat_event_at: null,
        registered_by: registeredBy,
        version_no: 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.events.record(tx, {
      projectId,
      agentId: id,
      subjectId: id,
      name: 'agent_registered',
      body: { agent: { id, name: message.name, host: { os: message.host.os } }, request_id: randomUUID() },
    });
    return agentFromRow(row);
  });
  return { agent, password };
}
