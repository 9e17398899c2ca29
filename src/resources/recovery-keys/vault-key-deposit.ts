import { KEY_BYTES } from '../../engine/crypto/blob-cipher.js';
import { openWithRsaKey } from '../../engine/crypto/rsa-envelope.js';
import { badRequest, conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { BodyCheck } from '../common/body-check.js';
import { recoveryKeyStore } from './recovery-key.store.js';

export const PRIVATE_VAULT = "The agent's vault is private: the server keeps no key for it (restores elsewhere need the vault password).";

export interface VaultKeyDepositMessage {
  recoveryKeyId: string;
  sealedMasterKey: Buffer;
}

export function parseVaultKeyDeposit(body: unknown): VaultKeyDepositMessage {
  const check = BodyCheck.object(body);
  const keyId = check.string('recovery_key_id', { required: true, nonEmpty: true, maxLength: 128 });
  const sealed = check.string('sealed_master_key', { required: true, nonEmpty: true, maxLength: 2048 });
  if (typeof sealed === 'string' && !/^[A-Za-z0-9+/]+={0,2}$/.test(sealed)) check.problem('sealed_master_key must be base64.');
  check.done();
  return { recoveryKeyId: keyId as string, sealedMasterKey: Buffer.from(sealed as string, 'base64') };
}

/**
 * The owning agent leaves its vault's master key sealed under the project's recovery key. Only while the agent's
 * custody is `server`: the custody check takes the agent row's lock, so a concurrent switch to private (which drops
 * the copy in its own transaction) either comes first and refuses this, or comes after and removes it.
 */
export async function depositVaultKey(ctx: AppContext, agentId: string, projectId: string, vaultId: string, message: VaultKeyDepositMessage): Promise<void> {
  const projectKey = await recoveryKeyStore.projectKey(ctx.store.db, projectId);
  if (message.recoveryKeyId !== projectKey.id) throw conflict("The key was sealed for another recovery key than the project's; fetch the current one and seal it again.");
  let masterKey: Buffer;
  try {
    masterKey = openWithRsaKey(projectKey.privateKeyPem, message.sealedMasterKey);
  } catch {
    throw badRequest('Validation failed.', ['sealed_master_key does not open with the project recovery key.']);
  }
  masterKey.fill(0);
  if (masterKey.length !== KEY_BYTES) throw badRequest('Validation failed.', [`sealed_master_key must hold a ${KEY_BYTES}-byte key.`]);
  await ctx.store.transaction(async (tx) => {
    const held = await tx.db.updateTable('agents').set({ key_custody: 'server' }).where('id', '=', agentId).where('key_custody', '=', 'server').executeTakeFirst();
    if (Number(held.numUpdatedRows) === 0) throw conflict(PRIVATE_VAULT);
    await recoveryKeyStore.saveVaultCopy(tx.db, { vaultId, projectId, recoveryKeyId: projectKey.id, sealedMasterKey: message.sealedMasterKey });
  });
}
