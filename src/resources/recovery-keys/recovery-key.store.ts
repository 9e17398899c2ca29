import { createHash, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { isoNow } from '../../server/time.js';

const generate = promisify(generateKeyPair);
/** Project recovery keys live for years and seal every vault of the project. */
const RECOVERY_KEY_BITS = 3072;

export interface ProjectRecoveryKey {
  id: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

export interface VaultRecoveryCopy {
  vaultId: string;
  projectId: string;
  recoveryKeyId: string;
  sealedMasterKey: Buffer;
}

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * The one place server-held key material is read and written. It lives in the database (tables
 * project_recovery_keys and vault_recovery_keys), so a copy of the database is a copy of every project's
 * recovery keys: `coffer server backup` takes both with the database, and such a copy must be kept as safe as the
 * vaults' passwords.
 */
export const recoveryKeyStore = {
  /** The project's recovery key pair, made on first use; concurrent first uses agree on one. */
  async projectKey(db: Kysely<Database>, projectId: string): Promise<ProjectRecoveryKey> {
    const existing = await db.selectFrom('project_recovery_keys').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    if (existing) return { id: existing.key_id, publicKeyPem: existing.public_key_pem, privateKeyPem: existing.private_key_pem };
    const pair = await generate('rsa', { modulusLength: RECOVERY_KEY_BITS });
    await db
      .insertInto('project_recovery_keys')
      .values({
        project_id: projectId,
        key_id: keyIdOf(pair.publicKey),
        public_key_pem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
        private_key_pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        created_at: isoNow(),
      })
      .onConflict((oc) => oc.column('project_id').doNothing())
      .execute();
    return this.projectKey(db, projectId);
  },

  /** Who holds the agent's vault key: `server` when a recovery copy may be deposited here. */
  async keyCustody(db: Kysely<Database>, agentId: string): Promise<string> {
    return (await db.selectFrom('agents').select('key_custody').where('id', '=', agentId).executeTakeFirstOrThrow()).key_custody;
  },

  async vaultCopy(db: Kysely<Database>, vaultId: string): Promise<VaultRecoveryCopy | null> {
    const row = await db.selectFrom('vault_recovery_keys').selectAll().where('vault_id', '=', vaultId).executeTakeFirst();
    return row ? { vaultId: row.vault_id, projectId: row.project_id, recoveryKeyId: row.recovery_key_id, sealedMasterKey: Buffer.from(row.sealed_master_key, 'base64') } : null;
  },

  async saveVaultCopy(db: Kysely<Database>, copy: VaultRecoveryCopy): Promise<void> {
    const values = { recovery_key_id: copy.recoveryKeyId, sealed_master_key: copy.sealedMasterKey.toString('base64'), created_at: isoNow() };
    await db
      .insertInto('vault_recovery_keys')
      .values({ vault_id: copy.vaultId, project_id: copy.projectId, ...values })
      .onConflict((oc) => oc.column('vault_id').doUpdateSet(values))
      .execute();
  },

  async dropVaultCopy(db: Kysely<Database>, vaultId: string): Promise<void> {
    await db.deleteFrom('vault_recovery_keys').where('vault_id', '=', vaultId).execute();
  },
};
