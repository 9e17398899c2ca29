import { badRequest, conflict } from '../../errors/app-error.js';
import type { Agent } from '../agents/agent.js';
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
