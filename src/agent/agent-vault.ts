import type { Logger } from 'pino';
import { isNotFoundError } from '../engine/backend/errors.js';
import { VaultError } from '../engine/errors.js';
import { initVault, openVault, openVaultWithMasterKey, type Vault } from '../engine/vault/vault.js';
import { decryptPasswordHex } from './sealed-secrets.js';
import type { VaultKeyCustody } from './vault-key-custody.js';
import type { TokenSource } from '../net/token-refresh.js';
import { VaultHttpBackend, type VaultHttpBackendOptions } from './vault-http-backend.js';

/** How a vault other than the agent's own is opened: with the user's password, or the key the server holds. */
export interface ReadAccess {
  /** The vault to read; null or the agent's own vault id: its own vault. */
  vaultId: string | null;
  /** The user's vault password, RSA-encrypted for this agent (v2 `encrypted_password_hex`). */
  encryptedPasswordHex: string | null;
}

/**
 * The agent's vault on the server's vault endpoint, opened with the password only this host knows. The vault is
 * created on first use; later runs open it. One Vault object serves every job (each operation re-reads the index).
 * Once open, the master key is left with the server for recovery (see VaultKeyCustody); a vault this host's password
 * does not open (one adopted from a replaced agent) is opened with the key the server hands over, and this host's
 * own key is added to it.
 */
export class AgentVault {
  private opened: { url: string; vault: Promise<Vault> } | undefined;

  constructor(
    private readonly url: () => Promise<string>,
    private readonly tokens: TokenSource,
    private readonly password: string,
    private readonly keys: VaultKeyCustody,
    private readonly rsaPrivateKey: string,
    private readonly log: Logger,
    /** How vault transfers are retried (the agent's outage window), who hears about retries, and their bandwidth limits. */
    private readonly transfers: Pick<VaultHttpBackendOptions, 'retry' | 'onRetry' | 'bandwidth'> = {},
  ) {}

  /** The agent's own vault; opened again when its link changed (a vault moved to or from this agent). */
  async open(): Promise<Vault> {
    const url = await this.url();
    if (this.opened?.url !== url) {
      const opening = this.openOrCreate(url).catch((err: unknown) => {
        if (this.opened?.vault === opening) this.opened = undefined;
        throw err;
      });
      this.opened = { url, vault: opening };
    }
    return this.opened.vault;
  }

  async backend(): Promise<VaultHttpBackend> {
    return this.backendAt(await this.url());
  }

  /** Whether `password` opens the vault (password verification requests). */
  async accepts(password: string): Promise<boolean> {
    try {
      await openVault(await this.backend(), password);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'WRONG_PASSWORD') return false;
      throw err;
    }
  }

  /**
   * Opens a vault to read (restore, browse): with the user's password when one was sent (WRONG_PASSWORD when it
   * does not open it), else the agent's own vault as usual, else another agent's vault with the key the server hands
   * over (NO_KEY). Another agent's vault is opened read-only.
   */
  async openToRead(access: ReadAccess): Promise<Vault> {
    const ownUrl = await this.url();
    const url = access.vaultId ? siblingVaultUrl(ownUrl, access.vaultId) : ownUrl;
    const own = url === ownUrl;
    if (access.encryptedPasswordHex) {
      let password: string;
      try {
        password = decryptPasswordHex(this.rsaPrivateKey, access.encryptedPasswordHex);
      } catch {
        throw new VaultError('WRONG_PASSWORD', "the vault password sent cannot be read with this agent's key: it was encrypted for another agent's key");
      }
      return openVault(this.backendAt(url), password, { readOnly: !own });
    }
    if (own) return this.open();
    const handed = await this.keys.receive(url);
    if ('refused' in handed) throw new VaultError('WRONG_KEY', `no key to open vault ${access.vaultId}: ${handed.refused}`);
    // The Vault keeps this very buffer as its key: it must not be wiped here.
    return openVaultWithMasterKey(this.backendAt(url), handed.masterKey, { readOnly: true });
  }

  private backendAt(url: string): VaultHttpBackend {
    return new VaultHttpBackend({ url, tokens: this.tokens, ...this.transfers });
  }

  private async openOrCreate(url: string): Promise<Vault> {
    const backend = this.backendAt(url);
    const exists = await backend.stat('config').then(
      () => true,
      (err: unknown) => (isNotFoundError(err) ? false : Promise.reject(err)),
    );
    const vault = exists ? await this.openOwn(url) : await initVault(backend, this.password);
    // Not fatal: the key is offered again the next time the vault is opened.
    await this.keys.deposit(url, vault).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'could not leave the vault key with the server'));
    return vault;
  }

  private async openOwn(url: string): Promise<Vault> {
    try {
      return await openVault(this.backendAt(url), this.password);
    } catch (err) {
      if ((err as { code?: string }).code !== 'WRONG_PASSWORD') throw err;
    }
    const handed = await this.keys.receive(url);
    if ('refused' in handed) throw new VaultError('WRONG_PASSWORD', `this host's key does not open its vault and the server hands over none: ${handed.refused}`);
    try {
      const adopted = await openVaultWithMasterKey(this.backendAt(url), handed.masterKey);
      await adopted.addKey(this.password);
    } finally {
      handed.masterKey.fill(0);
    }
    this.log.info("adopted vault: this host's key was added to it");
    return openVault(this.backendAt(url), this.password);
  }
}

/** Vault links are `<server>/vaults/<vault_id>`; another vault on the same server is its sibling. */
export function siblingVaultUrl(ownUrl: string, vaultId: string): string {
  return ownUrl.replace(/[^/]+\/?$/, encodeURIComponent(vaultId));
}
