import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { openVault } from '../../engine/vault/vault.js';
import type { JobRuntime } from './job-runtime.js';

/**
 * Passwords the API hands over are encrypted with the RSA public key the agent registered and hex-encoded (the
 * documents wrap them, so whitespace is ignored), with RSA-OAEP (SHA-1, Node's default). PKCS#1 v1.5 is not
 * accepted: Node 20 refused it for decryption, and on Node 24 OpenSSL's implicit rejection turns a wrong
 * key or a forged text into random bytes instead of an error, so a wrong key could not be told apart.
 */
export function decryptPasswordHex(privateKeyPem: string, hex: string): string {
  const data = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  return privateDecrypt({ key: createPrivateKey(privateKeyPem), padding: constants.RSA_PKCS1_OAEP_PADDING }, data).toString('utf8');
}

/**
 * `vault_password_verify`: does the password given open this agent's vault? The answer goes to
 * `POST …/vault-password-verification-requests/{request_id}` as `{verified}`.
 */
export async function runPasswordVerification(rt: JobRuntime, privateKeyPem: string, event: Record<string, any>): Promise<void> {
  let verified = false;
  try {
    const password = decryptPasswordHex(privateKeyPem, String(event.encrypted_password_hex ?? ''));
    verified = await rt.vault.accepts(password);
  } catch (err) {
    rt.log.warn({ err: (err as Error).message }, 'vault password verification: the password could not be read');
  }
  await rt.api.post(rt.api.agentUrl('vault-password-verification-requests', String(event.request_id)), { verified });
}

/**
 * `vault_encryption_enable` / `vault_encryption_change`: the vault is always encrypted by the agent; what the user
 * supplies is an extra password that opens it (so it can be restored elsewhere). Enable adds that password;
 * change checks the old one opens the vault, adds the new one and removes the old one's key.
 */
export async function runVaultEncryption(rt: JobRuntime, privateKeyPem: string, event: Record<string, any>, change: boolean): Promise<void> {
  let succeeded = false;
  try {
    const vault = await rt.vault.open();
    if (change) {
      const oldPassword = decryptPasswordHex(privateKeyPem, String(event.old_encrypted_password_hex ?? ''));
      const newPassword = decryptPasswordHex(privateKeyPem, String(event.new_encrypted_password_hex ?? ''));
      const keysBefore = await vault.listKeys();
      const withOld = await openVault(await rt.vault.backend(), oldPassword);
      await vault.addKey(newPassword);
      const oldKey = keysBefore.find((k) => k.id === withOld.keyId);
      if (oldKey && withOld.keyId !== vault.keyId) await vault.removeKey(oldKey.id);
    } else {
      await vault.addKey(decryptPasswordHex(privateKeyPem, String(event.encrypted_password_hex ?? '')));
    }
    succeeded = true;
  } catch (err) {
    rt.log.warn({ err: (err as Error).message }, 'vault encryption request failed');
  }
  await rt.api.post(rt.api.agentUrl('vault-encryption-requests', String(event.request_id)), { action: change ? 'changed' : 'enabled', succeeded });
}
