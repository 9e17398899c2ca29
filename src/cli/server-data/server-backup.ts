import fs from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from '../../config.js';
import { copySqliteDatabase, sqliteIntegrityProblems } from '../../store/sqlite-copy.js';
import { copyFileAtomically, copyTree, sha256OfFile } from './data-copy.js';
import { DATA_FOLDERS, DATABASE_FILE, MANIFEST_FILE, MANIFEST_FORMAT, SECRETS_FOLDER, TLS_CERT_FILE, TLS_KEY_FILE, type ServerBackupManifest } from './server-backup-manifest.js';

/**
 * `coffer server backup --to DIR`: the server's own data, consistent while the server runs. First the database
 * (SQLite's online backup API; with PostgreSQL nothing, pg_dump does that), then the vault and log files, which
 * only grow and are named by content, so every file the database copy refers to is there; then the TLS key pair;
 * the manifest last. Running it again into the same folder copies only new files.
 */
export async function backupServerData(config: ServerConfig, to: string, say: (line: string) => void): Promise<ServerBackupManifest> {
  const target = path.resolve(to);
  if (target === config.dataDir || target.startsWith(`${config.dataDir}${path.sep}`)) throw new Error(`--to must be outside the data folder ${config.dataDir}`);
  await fs.promises.mkdir(target, { recursive: true });
  // Whatever the folder held before, it is not a complete backup until the new manifest is written.
  await fs.promises.rm(path.join(target, MANIFEST_FILE), { force: true });

  let database: ServerBackupManifest['database'] = null;
  if (config.databaseUrl) {
    say('database: PostgreSQL, not copied here: keep it with pg_dump (see docs/disaster-recovery.md)');
  } else {
    const source = path.join(config.dataDir, DATABASE_FILE);
    if (!fs.existsSync(source)) throw new Error(`no database at ${source}: is --data-dir (COFFER_DATA_DIR) the server's data folder?`);
    const partial = path.join(target, `${DATABASE_FILE}.partial`);
    await fs.promises.rm(partial, { force: true });
    await copySqliteDatabase(source, partial);
    const problems = sqliteIntegrityProblems(partial);
    if (problems.length > 0) throw new Error(`the database copy failed its integrity check: ${problems.slice(0, 3).join('; ')}`);
    await fs.promises.rename(partial, path.join(target, DATABASE_FILE));
    const file = path.join(target, DATABASE_FILE);
    database = { file: DATABASE_FILE, bytes: (await fs.promises.stat(file)).size, sha256: await sha256OfFile(file) };
    say(`database: ${database.bytes} bytes (SQLite online backup)`);
  }

  const folders: ServerBackupManifest['folders'] = {};
  if (config.storage.kind !== 'local') {
    say(`vault and log files: in the bucket ${config.storage.bucket}, not copied here: keep them with the storage's own versioning or replication`);
  }
  const storageRoot = config.storage.kind === 'local' ? config.storage.root : null;
  for (const folder of storageRoot === null ? [] : DATA_FOLDERS) {
    const tally = await copyTree(path.join(storageRoot!, folder), path.join(target, folder));
    const total = await folderSize(path.join(target, folder));
    folders[folder] = total;
    say(`${folder}: ${total.files} files, ${total.bytes} bytes (${tally.files} copied now, ${tally.unchanged} already there)`);
  }

  const secrets: string[] = [];
  const tls: [string | undefined, string][] = [
    [config.tlsCertFile, TLS_CERT_FILE],
    [config.tlsKeyFile, TLS_KEY_FILE],
  ];
  for (const [source, name] of tls) {
    if (!source) continue;
    await fs.promises.mkdir(path.join(target, SECRETS_FOLDER), { recursive: true, mode: 0o700 });
    await copyFileAtomically(source, path.join(target, SECRETS_FOLDER, name), 0o600);
    secrets.push(`${SECRETS_FOLDER}/${name}`);
  }
  if (secrets.length > 0) say(`secrets: ${secrets.join(', ')}`);

  const manifest: ServerBackupManifest = { format: MANIFEST_FORMAT, created_at: new Date().toISOString(), database, folders, secrets };
  const manifestFile = path.join(target, MANIFEST_FILE);
  await fs.promises.writeFile(`${manifestFile}.partial`, `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.promises.rename(`${manifestFile}.partial`, manifestFile);
  return manifest;
}

export async function folderSize(dir: string): Promise<{ files: number; bytes: number }> {
  const total = { files: 0, bytes: 0 };
  const visit = async (current: string) => {
    const entries = await fs.promises.readdir(current, { withFileTypes: true }).catch(() => [] as fs.Dirent[]);
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await visit(full);
      else if (entry.isFile() && !entry.name.endsWith('.partial')) {
        total.files++;
        total.bytes += (await fs.promises.stat(full)).size;
      }
    }
  };
  await visit(dir);
  return total;
}
