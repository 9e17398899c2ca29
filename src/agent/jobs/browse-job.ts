import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobRuntime } from './job-runtime.js';
import { openVaultToRead } from './vault-to-read.js';

interface BrowseItem {
  name: string;
  name_encoded?: string;
  bytes: number;
  mime_type: string;
}

const DIRECTORY = 'inode/directory';
const SYMLINK = 'application/x-symlink-file';
const FILE = 'application/octet-stream';
/** The server takes at most this many items per answer. */
const MAX_ITEMS = 10_000;

/** A path may come base64-encoded (`path_encoded`) when it is not valid UTF-8. */
function requestedPath(event: Record<string, any>): string {
  if (typeof event.path_encoded === 'string' && event.path_encoded !== '') return Buffer.from(event.path_encoded, 'base64').toString('utf8');
  return typeof event.path === 'string' && event.path !== '' ? event.path : '/';
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

/** `host_browse`: lists a directory of this host and posts the result for the request. */
export async function runHostBrowse(rt: JobRuntime, event: Record<string, any>): Promise<void> {
  const dir = path.resolve('/', requestedPath(event));
  let result: Record<string, unknown>;
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    const items: BrowseItem[] = [];
    for (const entry of entries) {
      const st = await fs.lstat(path.join(dir, entry.name)).catch(() => undefined);
      const mime = entry.isSymbolicLink() ? SYMLINK : entry.isDirectory() ? DIRECTORY : FILE;
      items.push({ name: entry.name, bytes: st && !entry.isDirectory() ? st.size : 0, mime_type: mime });
    }
    items.sort((a, b) => a.name.localeCompare(b.name));
    result = { succeeded: true, path: withSlash(dir), items: items.slice(0, MAX_ITEMS) };
  } catch (err) {
    rt.log.warn({ path: dir, err: (err as Error).message }, 'host browse failed');
    result = { succeeded: false, path: withSlash(dir), items: [] };
  }
  await postBrowseResult(rt, event, result);
}

/** `backup_browse`: lists a directory inside a snapshot; the password sent must open the vault. */
export async function runBackupBrowse(rt: JobRuntime, event: Record<string, any>): Promise<void> {
  const dir = path.posix.resolve('/', requestedPath(event));
  let result: Record<string, unknown>;
  try {
    const vault = await openVaultToRead(
      rt,
      {
        vaultId: typeof event.agent?.vault?.id === 'string' ? event.agent.vault.id : null,
        encryptedPasswordHex: typeof event.encrypted_password_hex === 'string' && event.encrypted_password_hex !== '' ? event.encrypted_password_hex : null,
      },
      'listed',
    );
    const entries = await vault.ls(Number(event.backup?.snapshot_id), dir);
    const items: BrowseItem[] = entries.map((entry) => ({
      name: entry.name,
      bytes: entry.type === 'dir' ? 0 : entry.size,
      mime_type: entry.type === 'dir' ? DIRECTORY : entry.type === 'symlink' ? SYMLINK : FILE,
    }));
    result = { succeeded: true, path: withSlash(dir), items: items.slice(0, MAX_ITEMS) };
  } catch (err) {
    rt.log.warn({ path: dir, err: (err as Error).message }, 'backup browse failed');
    result = { succeeded: false, path: withSlash(dir), items: [] };
  }
  await postBrowseResult(rt, event, result);
}

async function postBrowseResult(rt: JobRuntime, event: Record<string, any>, result: Record<string, unknown>): Promise<void> {
  await rt.api.post(rt.api.agentUrl('browse-requests', String(event.request_id)), result);
}
