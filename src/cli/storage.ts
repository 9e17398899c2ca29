import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { VaultFiles } from '../resources/vaults/vault-files.js';
import { collectBody, type BlobStore } from '../storage/blob-store.js';
import { LocalBlobStore } from '../storage/local-blob-store.js';
import { openBlobStore } from '../storage/open-blob-store.js';
import { describeLocation, parseStorageUrl } from '../storage/storage-url.js';

export interface MigrationResult {
  copied: number;
  skipped: number;
  bytes: number;
}

/** The keys worth moving: every vault file in the vault layout and every log file (no temporaries, no strays). */
async function keysToMove(source: LocalBlobStore): Promise<string[]> {
  const vaultKeys = (await source.list('vaults/'))
    .map((b) => b.key)
    .filter((key) => {
      const vaultId = key.split('/')[1] ?? '';
      try {
        return new VaultFiles(source, vaultId).nameOf(key) !== null;
      } catch {
        return false;
      }
    });
  const logKeys = (await source.list('logfiles/')).map((b) => b.key).filter((key) => /^logfiles\/[^/]+\/[^/]+\.gz$/.test(key));
  return [...vaultKeys, ...logKeys].sort();
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Copies every vault file and log file from a local data directory into another blob store and verifies each by
 * reading it back and comparing SHA-256 hashes. A key already there with the same hash is skipped, so a run that was
 * interrupted can simply be started again.
 */
export async function migrateStorage(source: LocalBlobStore, target: BlobStore, progress: (line: string) => void = () => undefined): Promise<MigrationResult> {
  const result: MigrationResult = { copied: 0, skipped: 0, bytes: 0 };
  for (const key of await keysToMove(source)) {
    const data = await collectBody(await source.read(key));
    const hash = sha256(data);
    if ((await target.stat(key)) === data.length && sha256(await collectBody(await target.read(key))) === hash) {
      result.skipped++;
      continue;
    }
    await target.put(key, data);
    const back = sha256(await collectBody(await target.read(key)));
    if (back !== hash) throw new Error(`storage: ${key} reads back with SHA-256 ${back}, expected ${hash}; nothing was switched`);
    result.copied++;
    result.bytes += data.length;
    progress(`copied ${key} (${data.length} bytes, sha256 ${hash.slice(0, 12)}…)`);
  }
  return result;
}

export function registerStorageCommands(program: Command): void {
  const storage = program.command('storage').description('Manage where the server keeps vaults and log files');
  storage
    .command('migrate')
    .description('Copy vaults and log files from the data directory to object storage, verifying every file by hash (safe to re-run)')
    .requiredOption('--to <url>', 's3://bucket/prefix?endpoint=…&region=…&path_style=true (credentials from the standard AWS sources)')
    .option('--data-dir <dir>', 'the data directory to copy from (env COFFER_DATA_DIR, default ./data)')
    .option('--quiet', 'print only the summary')
    .action(async (options: { to: string; dataDir?: string; quiet?: boolean }) => {
      const dataDir = path.resolve(options.dataDir ?? (process.env.COFFER_DATA_DIR || 'data'));
      const location = parseStorageUrl(options.to, dataDir);
      if (location.kind === 'local' && path.resolve(location.root) === dataDir) throw new Error('storage: --to names the data directory itself');
      const source = new LocalBlobStore(dataDir);
      const target = openBlobStore(location);
      try {
        await target.check();
        const out = (line: string) => process.stdout.write(`${line}\n`);
        const result = await migrateStorage(source, target, options.quiet ? undefined : out);
        out(`${result.copied} files copied (${result.bytes} bytes), ${result.skipped} already there and identical, all verified by SHA-256.`);
        out(`To switch over: stop the servers, set COFFER_STORAGE_URL=${JSON.stringify(options.to)} and start them (target: ${describeLocation(location)}).`);
      } finally {
        await target.close();
      }
    });
}
