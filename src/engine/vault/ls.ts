import { VaultError } from '../errors.js';
import { normalizePath } from '../archiver/path-filter.js';
import type { TreeNode } from './tree.js';
import type { TreeLoader } from './tree-loader.js';

export interface LsEntry {
  path: string;
  name: string;
  type: TreeNode['type'];
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: string;
  target?: string;
}

/** Lists a directory of a snapshot (or the one entry, when `path` names a file or symlink). */
export async function listPath(trees: TreeLoader, rootTree: string, path: string, recursive: boolean): Promise<LsEntry[]> {
  const wanted = normalizePath(path);
  let treeId = rootTree;
  let current = '/';
  const parts = wanted.split('/').filter(Boolean);
  for (const [i, part] of parts.entries()) {
    const node = (await trees.load(treeId)).nodes.find((n) => n.name === part);
    if (!node) throw new VaultError('PATH_NOT_FOUND', `${wanted} is not in the snapshot`);
    current = current === '/' ? `/${part}` : `${current}/${part}`;
    if (node.type !== 'dir') {
      if (i === parts.length - 1) return [entryOf(current, node)];
      throw new VaultError('PATH_NOT_FOUND', `${wanted} is not in the snapshot`);
    }
    treeId = node.subtree!;
  }
  const out: LsEntry[] = [];
  const visit = async (id: string, dir: string) => {
    for (const node of (await trees.load(id)).nodes) {
      const p = dir === '/' ? `/${node.name}` : `${dir}/${node.name}`;
      out.push(entryOf(p, node));
      if (recursive && node.type === 'dir' && node.subtree) await visit(node.subtree, p);
    }
  };
  await visit(treeId, current);
  return out;
}

function entryOf(path: string, node: TreeNode): LsEntry {
  return {
    path,
    name: node.name,
    type: node.type,
    size: node.size,
    mode: node.mode,
    uid: node.uid,
    gid: node.gid,
    mtime: new Date(Number(BigInt(node.mtimeNs) / 1_000_000n)).toISOString(),
    ...(node.type === 'symlink' ? { target: node.target ?? '' } : {}),
  };
}
