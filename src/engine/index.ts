/** Public API of the backup engine. */
export type { VaultBackend, ByteRange, FileInfo } from './backend/backend.js';
export { LocalBackend } from './backend/local-backend.js';
export { MemoryBackend } from './backend/memory-backend.js';
export { BackendNotFoundError, isNotFoundError } from './backend/errors.js';
export { runBackendConformance, type BackendUnderTest } from './backend/conformance.js';
export { VaultError, IntegrityError, type VaultErrorCode } from './errors.js';
export { initVault, openVault, Vault, type InitOptions } from './vault/vault.js';
export type { BackupOptions, BackupProgress, BackupSummary, FileError } from './archiver/backup-types.js';
export type { PathRule } from './archiver/path-filter.js';
export type { RestoreOptions, RestoreProgress, RestoreSummary } from './restorer/restore-types.js';
export type { ForgetPolicy, ForgetResult } from './maintenance/forget.js';
export type { PruneOptions, PruneResult } from './maintenance/prune.js';
export type { CheckOptions, CheckResult } from './maintenance/check.js';
export type { VaultStats } from './maintenance/stats.js';
export type { SnapshotInfo, SnapshotSummary } from './vault/snapshot.js';
export type { SnapshotRef } from './vault/snapshot-store.js';
export type { LsEntry } from './vault/ls.js';
export type { KeyInfo } from './vault/vault-keys.js';
