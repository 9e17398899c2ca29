import { openWithRsaKey, sealForRsaKey } from '../../engine/crypto/rsa-envelope.js';
import { notFound } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import type { Agent } from '../agents/agent.js';
import { agentKeyForSecrets } from '../agents/agent-rsa-key.js';
import { recoveryKeyStore } from './recovery-key.store.js';

export const NO_SERVER_KEY = 'The server holds no key for this vault: its agent keeps it private or has not deposited one yet. Restore it with the vault password instead.';

/** Whether the server could hand this vault's key to another agent (it holds a copy under the current project key). */
export async function serverHoldsVaultKey(ctx: AppContext, vaultId: string): Promise<boolean> {
  return (await recoveryKeyStore.vaultCopy(ctx.store.db, vaultId)) !== null;
}

/**
 * The vault's master key, unsealed with the project's recovery key and sealed again for `recipient`'s RSA key
 * (RSA-OAEP-SHA256, hex), so that only that agent can read it. The caller has checked the agent may read the vault.
 */
export async function sealVaultKeyFor(ctx: AppContext, recipient: Agent, vaultId: string): Promise<string> {
  const recipientKey = agentKeyForSecrets(recipient);
  const copy = await recoveryKeyStore.vaultCopy(ctx.store.db, vaultId);
  if (!copy || copy.projectId !== recipient.projectId) throw notFound(NO_SERVER_KEY);
  const projectKey = await recoveryKeyStore.projectKey(ctx.store.db, recipient.projectId);
  if (copy.recoveryKeyId !== projectKey.id) throw notFound(NO_SERVER_KEY);
  const masterKey = openWithRsaKey(projectKey.privateKeyPem, copy.sealedMasterKey);
  try {
    return sealForRsaKey(recipientKey, masterKey).toString('hex');
  } finally {
    masterKey.fill(0);
  }
}
