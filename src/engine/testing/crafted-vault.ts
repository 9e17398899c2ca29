import os from 'node:os';
import type { VaultBackend } from '../backend/backend.js';
import { sealJson } from '../crypto/blob-cipher.js';
import { Repository } from '../repository/repository.js';
import { numericSnapshotId, type SnapshotFile } from '../vault/snapshot.js';
import { encodeName, encodeTarget, type TreeNode } from '../vault/tree.js';
import { unlockVault } from '../vault/vault-keys.js';

/** An entry of a crafted tree. Names are written as given: nothing is checked, sorted or de-duplicated. */
export type CraftedEntry =
  | { type: 'file'; name: string | Buffer; data?: string | Buffer; mode?: number; /** a size that lies */ size?: number; /** more fields, as given */ extra?: Record<string, unknown> }
  | { type: 'dir'; name: string | Buffer; entries: CraftedEntry[]; mode?: number }
  | { type: 'symlink'; name: string | Buffer; target: string }
  /** A node written exactly as given (fields that lie, unknown types). */
  | { raw: Record<string, unknown> };

/** The mtime crafted entries get: 2020-09-13T12:26:40Z. */
export const CRAFTED_MTIME_S = 1_600_000_000;

/**
 * Writes a snapshot whose trees hold exactly `entries`, sealed with the vault's own key through the engine's own
 * repository code: what an attacker holding a vault's key (a compromised host or server) could store. The root
 * tree is `/`. With `replace`, the snapshot file of that hex id is overwritten instead (same numeric id).
 */
export async function writeCraftedSnapshot(backend: VaultBackend, password: string, entries: CraftedEntry[], options: { replace?: string } = {}): Promise<{ id: number; hash: string }> {
  const { masterKey, config } = await unlockVault(backend, password);
  const repo = new Repository(backend, masterKey, config);
  await repo.loadIndex();
  const tree = await saveTree(repo, entries);
  await repo.flush();
  const file: SnapshotFile = {
    version: 1,
    time: new Date().toISOString(),
    host: os.hostname(),
    username: 'crafted',
    paths: ['/'],
    tags: ['crafted'],
    tree,
    summary: { filesNew: 0, filesChanged: 0, filesUnmodified: 0, dirs: 0, totalFiles: 0, totalBytes: 0, dataAdded: 0, dataAddedPacked: 0, errors: 0, durationMs: 0 },
  };
  if (options.replace) {
    await backend.save(`snapshots/${options.replace}`, sealJson(masterKey, file));
    return { id: numericSnapshotId(options.replace), hash: options.replace };
  }
  const hash = await repo.saveJsonFile('snapshots', file);
  return { id: numericSnapshotId(hash), hash };
}

async function saveTree(repo: Repository, entries: CraftedEntry[]): Promise<string> {
  const nodes: unknown[] = [];
  for (const entry of entries) {
    if ('raw' in entry) {
      nodes.push(entry.raw);
      continue;
    }
    const base: TreeNode = {
      ...encodeName(Buffer.isBuffer(entry.name) ? entry.name : Buffer.from(entry.name)),
      type: entry.type,
      mode: 0,
      uid: process.getuid?.() ?? 0,
      gid: process.getgid?.() ?? 0,
      mtimeNs: `${CRAFTED_MTIME_S}000000000`,
      ctimeNs: `${CRAFTED_MTIME_S}000000000`,
      inode: '1',
      size: 0,
    };
    if (entry.type === 'file') {
      const data = Buffer.from(entry.data ?? '');
      const id = data.length ? await repo.saveBlob('data', data) : undefined;
      nodes.push({ ...base, mode: entry.mode ?? 0o644, size: entry.size ?? data.length, content: id ? [id] : [], ...entry.extra });
    } else if (entry.type === 'dir') {
      nodes.push({ ...base, mode: entry.mode ?? 0o755, subtree: await saveTree(repo, entry.entries) });
    } else {
      nodes.push({ ...base, mode: 0o777, ...encodeTarget(Buffer.from(entry.target)) });
    }
  }
  return repo.saveBlob('tree', Buffer.from(JSON.stringify({ nodes })));
}
