import type { Command } from 'commander';
import { addBackupCommand } from './vault-backup.js';
import { addCheckCommand } from './vault-check.js';
import { addForgetCommand } from './vault-forget.js';
import { addInitCommand } from './vault-init.js';
import { addKeyCommands } from './vault-key.js';
import { addLsCommand } from './vault-ls.js';
import { addPruneCommand } from './vault-prune.js';
import { addRestoreCommand } from './vault-restore.js';
import { addSnapshotsCommand } from './vault-snapshots.js';
import { addStatsCommand } from './vault-stats.js';

/** Adds `coffer vault …`: the backup engine on its own, restic style. */
export function registerVaultCommands(program: Command): void {
  const vault = program
    .command('vault')
    .description('back up and restore with an encrypted, deduplicating vault')
    .option('--repo <path>', 'vault directory, or s3://bucket/prefix/vaults/<vault_id>?endpoint=… (or COFFER_VAULT_REPO)')
    .option('--password-file <file>', 'read the vault password from this file (else COFFER_VAULT_PASSWORD, else a prompt)')
    .option('--json', 'print machine-readable JSON');
  addInitCommand(vault);
  addBackupCommand(vault);
  addSnapshotsCommand(vault);
  addLsCommand(vault);
  addRestoreCommand(vault);
  addForgetCommand(vault);
  addPruneCommand(vault);
  addCheckCommand(vault);
  addStatsCommand(vault);
  addKeyCommands(vault);
}
