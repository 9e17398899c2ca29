import fs from 'node:fs';
import path from 'node:path';
import { sqliteIntegrityProblems } from '../../store/sqlite-copy.js';
import { copyFileAtomically, copyTree, sha256OfFile } from './data-copy.js';
import { DATA_FOLDERS, DATABASE_FILE, MANIFEST_FILE, MANIFEST_FORMAT, SECRETS_FOLDER, type ServerBackupManifest } from './server-backup-manifest.js';
import { folderSize } from './server-backup.js';

/**
 * `coffer server restore --from DIR`: puts a server backup into an empty (or new) data folder, checking it first:
 * the manifest must be complete, the database copy must match its checksum and pass SQLite's integrity check, and
 * every folder must hold at least the files the manifest counted. Nothing is written into a folder that has data.
 */
export async function restoreServerData(from: string, dataDir: string, storageRoot: string | null, say: (line: string) => void): Promise<ServerBackupManifest> {
  const source = path.resolve(from);
  const manifest = await readManifest(source);
  const existing = await fs.promises.readdir(dataDir).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  if (existing.length > 0) throw new Error(`the data folder ${dataDir} is not empty: restore into an empty or new folder`);

  if (manifest.database) {
    const file = path.join(source, manifest.database.file);
    if ((await sha256OfFile(file).catch(() => '')) !== manifest.database.sha256) throw new Error(`${file} does not match the checksum in the manifest: the backup is damaged`);
    const problems = sqliteIntegrityProblems(file);
    if (problems.length > 0) throw new Error(`${file} failed its integrity check: ${problems.slice(0, 3).join('; ')}`);
  }
  for (const folder of DATA_FOLDERS) {
    const counted = manifest.folders[folder];
    const present = await folderSize(path.join(source, folder));
    if (counted && (present.files < counted.files || present.bytes < counted.bytes)) {
      throw new Error(`${folder}/ holds ${present.files} files (${present.bytes} bytes) but the backup counted ${counted.files} (${counted.bytes} bytes): the backup is incomplete`);
    }
  }

  await fs.promises.mkdir(dataDir, { recursive: true });
  if (manifest.database) {
    await copyFileAtomically(path.join(source, manifest.database.file), path.join(dataDir, DATABASE_FILE));
    say(`database: ${manifest.database.bytes} bytes`);
  } else {
    say('database: PostgreSQL: restore it with pg_restore (see docs/disaster-recovery.md)');
  }
  for (const folder of DATA_FOLDERS) {
    if (!manifest.folders[folder]) continue;
    if (storageRoot === null) throw new Error(`the backup holds ${folder}/ but COFFER_STORAGE_URL points at object storage: copy them there yourself, or restore with local storage`);
    const tally = await copyTree(path.join(source, folder), path.join(storageRoot, folder));
    say(`${folder}: ${tally.files} files, ${tally.bytes} bytes`);
  }
  if (manifest.secrets.length > 0) {
    const secretsDir = path.join(dataDir, SECRETS_FOLDER);
    await fs.promises.mkdir(secretsDir, { recursive: true, mode: 0o700 });
    for (const secret of manifest.secrets) await copyFileAtomically(path.join(source, secret), path.join(secretsDir, path.basename(secret)), 0o600);
    say(`secrets: ${manifest.secrets.map((s) => path.join(dataDir, SECRETS_FOLDER, path.basename(s))).join(', ')} (point COFFER_TLS_CERT and COFFER_TLS_KEY at them)`);
  }
  return manifest;
}

async function readManifest(source: string): Promise<ServerBackupManifest> {
  let text: string;
  try {
    text = await fs.promises.readFile(path.join(source, MANIFEST_FILE), 'utf8');
  } catch {
    throw new Error(`${source} holds no ${MANIFEST_FILE}: not a server backup, or one that was interrupted`);
  }
  let manifest: ServerBackupManifest;
  try {
    manifest = JSON.parse(text) as ServerBackupManifest;
  } catch {
    throw new Error(`${path.join(source, MANIFEST_FILE)} is not valid JSON`);
  }
  if (manifest?.format !== MANIFEST_FORMAT) throw new Error(`${path.join(source, MANIFEST_FILE)} is not a ${MANIFEST_FORMAT} manifest`);
  const safe = (name: unknown) => typeof name === 'string' && !path.isAbsolute(name) && !name.split(/[\\/]/).includes('..');
  if (manifest.database !== null && (typeof manifest.database !== 'object' || !safe(manifest.database.file) || typeof manifest.database.sha256 !== 'string')) {
    throw new Error('the manifest names its database file wrongly');
  }
  if (!Array.isArray(manifest.secrets) || !manifest.secrets.every(safe) || typeof manifest.folders !== 'object' || manifest.folders === null) {
    throw new Error('the manifest lists its folders or secrets wrongly');
  }
  return manifest;
}
