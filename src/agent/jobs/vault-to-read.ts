import type { Vault } from '../../engine/vault/vault.js';
import type { ReadAccess } from '../agent-vault.js';
import { JobRefusal, type JobRuntime } from './job-runtime.js';

/**
 * Opens the vault a restore or a browse reads, turning "cannot open it" into a refusal the user can act on
 * (`nothing` says what was not done, e.g. "restored").
 */
export async function openVaultToRead(rt: JobRuntime, access: ReadAccess, nothing: string): Promise<Vault> {
  try {
    return await rt.vault.openToRead(access);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'WRONG_PASSWORD' && access.encryptedPasswordHex) {
      throw new JobRefusal('wrong_password', `The vault password given does not open the backup's vault (${(err as Error).message}); nothing was ${nothing}. Check the password and try again.`);
    }
    if (code === 'WRONG_KEY') {
      throw new JobRefusal(
        'vault_key_unavailable',
        `This agent cannot open the backup's vault: ${(err as Error).message}. Nothing was ${nothing}; give the vault password, or restore onto the agent that owns the vault.`,
      );
    }
    throw err;
  }
}
