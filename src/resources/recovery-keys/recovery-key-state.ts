import type { AppContext } from '../../server/context.js';
import { recoveryKeyStore } from './recovery-key.store.js';

/** How master keys are sealed, for the recovery key and for an agent's own key. */
export const SEALING_ALGORITHM = 'RSA-OAEP-256';

export interface RecoveryKeyState {
  /** Who holds the agent's vault key (`server` when a recovery copy may be deposited here). */
  custody: string;
  /** The project's recovery key, when the server holds keys. */
  key: { id: string; publicKeyPem: string } | null;
  /** Whether the vault's master key is deposited under that key. */
  deposited: boolean;
}

/** What the vault's agent needs to know before depositing its master key. */
export async function recoveryKeyState(ctx: AppContext, agent: { id: string; projectId: string }, vaultId: string): Promise<RecoveryKeyState> {
  const custody = await recoveryKeyStore.keyCustody(ctx.store.db, agent.id);
  if (custody !== 'server') return { custody, key: null, deposited: false };
  const key = await recoveryKeyStore.projectKey(ctx.store.db, agent.projectId);
  const copy = await recoveryKeyStore.vaultCopy(ctx.store.db, vaultId);
  return { custody, key: { id: key.id, publicKeyPem: key.publicKeyPem }, deposited: copy?.recoveryKeyId === key.id };
}

export function presentRecoveryKey(state: RecoveryKeyState): Record<string, unknown> {
  return {
    key_custody: state.custody,
    recovery_key: state.key ? { id: state.key.id, algorithm: SEALING_ALGORITHM, public_key: state.key.publicKeyPem } : null,
    deposited: state.deposited,
  };
}
