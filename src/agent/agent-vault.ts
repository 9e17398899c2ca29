import { isNotFoundError } from '../engine/backend/errors.js';
import { initVault, openVault, type Vault } from '../engine/vault/vault.js';
import { VaultHttpBackend, type TokenSource, type VaultHttpBackendOptions } from './vault-http-backend.js';

/**
 * The agent's vault on the server's vault endpoint, opened with the password only this host knows. The vault is
 * created on first use; later runs open it. One Vault object serves every job (each operation re-reads the index).
 */
export class AgentVault {
  private opened: Promise<Vault> | undefined;

  constructor(
    private readonly url: () => Promise<string>,
    private readonly tokens: TokenSource,
    private readonly password: string,
    /** How vault transfers are retried (the agent's outage window) and who hears about retries. */
    private readonly transfers: Pick<VaultHttpBackendOptions, 'retry' | 'onRetry'> = {},
  ) {}

  open(): Promise<Vault> {
    this.opened ??= this.openOrCreate().catch((err: unknown) => {
      this.opened = undefined;
      throw err;
    });
    return this.opened;
  }

  async backend(): Promise<VaultHttpBackend> {
    return new VaultHttpBackend({ url: await this.url(), tokens: this.tokens, ...this.transfers });
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

  /** Drops the cached vault, e.g. after the vault link changed (vault moved to this agent). */
  reset(): void {
    this.opened = undefined;
  }

  private async openOrCreate(): Promise<Vault> {
    const backend = await this.backend();
    const exists = await backend.stat('config').then(
      () => true,
      (err: unknown) => (isNotFoundError(err) ? false : Promise.reject(err)),
    );
    return exists ? openVault(backend, this.password) : initVault(backend, this.password);
  }
}
