import { badRequest, conflict } from '../../errors/app-error.js';
import type { Agent } from '../agents/agent.js';
import { agentKeyForSecrets } from '../agents/agent-rsa-key.js';
import type { RestoreCreateMessage } from './restore-create.message.js';

export const NOT_RESTORABLE = 'The backup is not restorable: it has not completed with a snapshot, its retention has expired, or its vault is no longer attached to an agent.';
export const DESTINATION_DISABLED = 'The destination agent is disabled; enable it before starting a restore.';

/** The vault password must come with a restore from an encrypted vault, and only then. */
export function assertPasswordMatchesVault(source: Agent, message: RestoreCreateMessage): void {
  if (source.vault.encrypted && message.encryptedPasswordHex === null) {
    throw badRequest('Validation failed.', ["encrypted_password_hex is required: the backup's vault is encrypted."]);
  }
  if (!source.vault.encrypted && message.encryptedPasswordHex !== null) {
    throw badRequest('Validation failed.', ["encrypted_password_hex must be null or absent: the backup's vault is not encrypted."]);
  }
}

/** `source`: the agent holding the backup's vault, null when no agent of the project holds it any more. */
export function assertRestoreMayStart(source: Agent | null, restorable: boolean, destination: Agent): asserts source is Agent {
  if (source === null || !restorable) throw conflict(NOT_RESTORABLE);
  if (!destination.enabled) throw conflict(DESTINATION_DISABLED);
}

/**
 * The destination agent must be able to open the backup's vault: with the password sent (sealed for its key), with
 * its own key when the vault is its own, or with the key the server keeps when the vault is another agent's.
 * Whatever is sealed for the destination needs an RSA key of at least 2048 bits.
 */
export function assertDestinationCanOpenVault(source: Agent, destination: Agent, message: RestoreCreateMessage, serverHoldsSourceKey: boolean): void {
  const foreign = source.id !== destination.id;
  if (message.encryptedPasswordHex !== null || foreign) agentKeyForSecrets(destination);
  if (!foreign || message.encryptedPasswordHex !== null) return;
  if (source.vault.keyCustody === 'private') {
    throw conflict(`The backup's vault is private and has no vault password, so only its own agent (${source.id}) can open it; set a vault password on that agent to restore elsewhere.`);
  }
  if (!serverHoldsSourceKey) {
    throw conflict(
      `The server holds no key for the backup's vault yet: agent ${source.id} deposits it the next time it runs (agents older than this server never did). Restore onto that agent instead.`,
    );
  }
}
