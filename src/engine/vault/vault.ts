import type { VaultBackend } from '../backend/backend.js';
import { isNotFoundError } from '../backend/errors.js';
import { sealJson } from '../crypto/blob-cipher.js';
import type { ScryptCost } from '../crypto/key-file.js';
import { VaultError } from '../errors.js';
import { runBackup } from '../archiver/backup.js';
import type { BackupOptions, BackupSummary } from '../archiver/backup-types.js';
import { runRestore } from '../restorer/restore.js';
import type { RestoreOptions, RestoreSummary } from '../restorer/restore-types.js';
import { Repository } from '../repository/repository.js';
import { COMPRESSION_LEVEL, type CompressionSetting } from '../repository/compression.js';
import { newVaultConfig, type VaultConfig } from '../repository/vault-config.js';
import { runCheck, type CheckOptions, type CheckResult } from '../maintenance/check.js';
import { runForget, type ForgetPolicy, type ForgetResult } from '../maintenance/forget.js';
import { runPrune, type PruneOptions, type PruneResult } from '../maintenance/prune.js';
import { runStats, type VaultStats } from '../maintenance/stats.js';
import { acquireLock } from './lock.js';
import { listPath, type LsEntry } from './ls.js';
import type { SnapshotInfo } from './snapshot.js';
import { findSnapshot, loadSnapshots, type SnapshotRef } from './snapshot-store.js';
import { TreeLoader } from './tree-loader.js';
import { configWithMasterKey, listKeyInfos, newMasterKey, saveKeyFile, unlockVault, type KeyInfo } from './vault-keys.js';

export interface InitOptions {
  scrypt?: ScryptCost;
  /** `fast` (default) or `small`: smaller vault for about three times the compression CPU. */
  compression?: CompressionSetting;
  packSize?: number;
  chunker?: { minSize?: number; avgSize?: number; maxSize?: number };
}

/** Creates a vault on an empty backend and returns it opened. */
export async function initVault(backend: VaultBackend, password: string, options: InitOptions = {}): Promise<Vault> {
  const exists = await backend.stat('config').then(
    () => true,
    (err: unknown) => (isNotFoundError(err) ? false : Promise.reject(err)),
  );
  if (exists) throw new VaultError('VAULT_EXISTS', `a vault already exists at ${backend.location}`);
  const masterKey = newMasterKey();
  if (options.compression && !(options.compression in COMPRESSION_LEVEL)) {
    throw new VaultError('INVALID_ARGUMENT', `compression must be one of ${Object.keys(COMPRESSION_LEVEL).join(', ')}`);
  }
  const config = newVaultConfig({ chunker: options.chunker, packSize: options.packSize, compression: options.compression });
  const keyId = await saveKeyFile(backend, password, masterKey, options.scrypt);
  // The config is written last: its presence is what makes the directory a vault.
  await backend.save('config', sealJson(masterKey, config));
  return new Vault(backend, masterKey, config, keyId);
}

/** Opens a vault with one of its passwords (WRONG_PASSWORD, VAULT_NOT_FOUND otherwise); `readOnly` as below. */
export async function openVault(backend: VaultBackend, password: string, options: { readOnly?: boolean } = {}): Promise<Vault> {
  const { masterKey, keyId, config } = await unlockVault(backend, password);
  return new Vault(backend, masterKey, config, keyId, options.readOnly ?? false);
}

/**
 * Opens a vault with its master key handed over whole (a recovery copy), WRONG_KEY when it is not this vault's.
 * `readOnly`: for a vault this process may only read (another agent's, during a restore): no lock file is written
 * and every writing operation is refused, as restic's --no-lock does for read-only repositories.
 */
export async function openVaultWithMasterKey(backend: VaultBackend, masterKey: Buffer, options: { readOnly?: boolean } = {}): Promise<Vault> {
  const config = await configWithMasterKey(backend, masterKey);
  return new Vault(backend, masterKey, config, '', options.readOnly ?? false);
}

/**
 * An opened vault. Each operation reads the current index and snapshots from storage, so one Vault object
 * can be kept for a long time while other processes write to the same vault.
 */
export class Vault {
  constructor(
    readonly backend: VaultBackend,
    private readonly masterKey: Buffer,
    readonly config: VaultConfig,
    /** The key file that opened it; '' when opened with the master key itself. */
    readonly keyId: string,
    readonly readOnly = false,
  ) {}

  /** The master key, for sealing a recovery copy of it under a key the server keeps. Never store it in clear. */
  get masterKeyForRecovery(): Buffer {
    return Buffer.from(this.masterKey);
  }

  get id(): string {
    return this.config.id;
  }

  backup(options: BackupOptions): Promise<BackupSummary> {
    return this.withLockedRepository(false, 'backup', (repo) => runBackup(repo, options));
  }

  restore(options: RestoreOptions): Promise<RestoreSummary> {
    return this.withLockedRepository(false, 'restore', (repo) => runRestore(repo, options));
  }

  /** Snapshots, oldest first. */
  async listSnapshots(): Promise<SnapshotInfo[]> {
    return loadSnapshots(this.bareRepository());
  }

  async getSnapshot(ref: SnapshotRef): Promise<SnapshotInfo> {
    return findSnapshot(await this.listSnapshots(), ref);
  }

  /** Entries of a directory in a snapshot (all below it when `recursive`). */
  ls(snapshot: SnapshotRef, path = '/', options: { recursive?: boolean } = {}): Promise<LsEntry[]> {
    return this.withRepository(async (repo) => {
      const snap = findSnapshot(await loadSnapshots(repo), snapshot);
      return listPath(new TreeLoader(repo), snap.tree, path, options.recursive ?? false);
    });
  }

  /** Removes snapshots by a retention policy (no data is deleted; `prune` does that). */
  forget(policy: ForgetPolicy): Promise<ForgetResult> {
    return this.withLockedRepository(true, 'forget', (repo) => runForget(repo, policy));
  }

  /** Optionally forgets by policy, then removes data no snapshot needs, repacking partly used packs. */
  prune(options: PruneOptions = {}): Promise<PruneResult> {
    return this.withLockedRepository(true, 'prune', (repo) => runPrune(repo, options));
  }

  check(options: CheckOptions = {}): Promise<CheckResult> {
    return this.withLockedRepository(false, 'check', (repo) => runCheck(repo, options), { loadIndex: false });
  }

  stats(): Promise<VaultStats> {
    return this.withRepository((repo) => runStats(repo));
  }

  /** Adds a key file so that `password` opens this vault too; returns the key id. */
  addKey(password: string, scrypt?: ScryptCost): Promise<string> {
    this.assertWritable('add a key');
    return saveKeyFile(this.backend, password, this.masterKey, scrypt);
  }

  listKeys(): Promise<KeyInfo[]> {
    return listKeyInfos(this.backend, this.keyId);
  }

  /** Removes another password's key file (the one in use and the last one cannot be removed). */
  async removeKey(id: string): Promise<void> {
    const keys = await this.listKeys();
    const match = keys.filter((k) => k.id.startsWith(id));
    if (match.length !== 1) throw new VaultError('INVALID_ARGUMENT', match.length ? `key id ${id} is ambiguous` : `no key ${id}`);
    this.assertWritable('remove a key');
    if (match[0]!.current) throw new VaultError('INVALID_ARGUMENT', 'cannot remove the key in use');
    await this.backend.remove(`keys/${match[0]!.id}`);
  }

  async close(): Promise<void> {
    await this.backend.close();
  }

  private bareRepository(): Repository {
    return new Repository(this.backend, this.masterKey, this.config);
  }

  private async withRepository<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    const repo = this.bareRepository();
    await repo.loadIndex();
    return fn(repo);
  }

  private assertWritable(operation: string): void {
    if (this.readOnly) throw new VaultError('READ_ONLY', `cannot ${operation}: this vault is open read-only`);
  }

  private async withLockedRepository<T>(exclusive: boolean, operation: string, fn: (repo: Repository) => Promise<T>, options: { loadIndex: boolean } = { loadIndex: true }): Promise<T> {
    const repo = this.bareRepository();
    if (this.readOnly) {
      if (operation !== 'restore' && operation !== 'check') this.assertWritable(operation);
      // No lock file can be written, so none is taken (a concurrent prune may remove data mid-read).
      if (options.loadIndex) await repo.loadIndex();
      return fn(repo);
    }
    const lock = await acquireLock(repo, exclusive, operation);
    try {
      if (options.loadIndex) await repo.loadIndex();
      return await fn(repo);
    } finally {
      await lock.release().catch(() => undefined);
    }
  }
}
