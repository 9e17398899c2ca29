import { createPublicKey } from 'node:crypto';
import type { Logger } from 'pino';
import { sealForRsaKey } from '../engine/crypto/rsa-envelope.js';
import type { Vault } from '../engine/vault/vault.js';
import type { AgentApi } from './agent-api.js';
import { openSealedKeyHex } from './sealed-secrets.js';

interface RecoveryKeyInfo {
  key_custody: 'server' | 'private';
  recovery_key: { id: string; algorithm: string; public_key: string } | null;
  deposited: boolean;
}

export type HandedKey = { masterKey: Buffer } | { refused: string };

/**
 * The agent's side of key custody (docs/disaster-recovery.md): it leaves its vault's master key with the server,
 * sealed under the project's recovery key, while its custody is `server`; and it receives the master key of a vault
 * it may read (one it adopted, or the source of a restore) sealed for its own RSA key.
 */
export class VaultKeyCustody {
  constructor(
    private readonly api: AgentApi,
    private readonly privateKeyPem: string,
    private readonly log: Logger,
  ) {}

  /** Deposits the key unless the agent is private or the server already holds it under its current recovery key. */
  async deposit(vaultUrl: string, vault: Vault): Promise<void> {
    const { body: info } = await this.api.get<RecoveryKeyInfo>(`${vaultUrl}/recovery-key`);
    if (info.key_custody !== 'server' || !info.recovery_key || info.deposited) return;
    const masterKey = vault.masterKeyForRecovery;
    let sealed: Buffer;
    try {
      sealed = sealForRsaKey(createPublicKey(info.recovery_key.public_key), masterKey);
    } finally {
      masterKey.fill(0);
    }
    const answer = await this.api.call('PUT', `${vaultUrl}/recovery-key`, {
      body: { recovery_key_id: info.recovery_key.id, sealed_master_key: sealed.toString('base64') },
      accept: [409],
    });
    if (answer.status === 409) this.log.info('the vault became private meanwhile: its key stays with this host');
    else this.log.info({ vault: vault.id }, 'vault key left with the server for recovery');
  }

  /** The master key of the vault at `vaultUrl` as the server hands it to this agent, or why it does not. */
  async receive(vaultUrl: string): Promise<HandedKey> {
    const answer = await this.api.get<{ sealed_master_key_hex?: string; message?: string }>(`${vaultUrl}/master-key`, { accept: [404, 409] });
    if (answer.status !== 200 || typeof answer.body?.sealed_master_key_hex !== 'string') {
      return { refused: answer.body?.message ?? `the server answered ${answer.status}` };
    }
    return { masterKey: openSealedKeyHex(this.privateKeyPem, answer.body.sealed_master_key_hex) };
  }
}
