import type { Repository } from '../repository/repository.js';
import type { SnapshotInfo } from '../vault/snapshot.js';
import { TreeLoader } from '../vault/tree-loader.js';

/** Every blob (trees and data) that the given snapshots reach. Throws if a tree cannot be read. */
export async function collectUsedBlobs(repo: Repository, snapshots: SnapshotInfo[]): Promise<Set<string>> {
  const used = new Set<string>();
  const trees = new TreeLoader(repo, 64);
  const visit = async (treeId: string) => {
    if (used.has(treeId)) return;
    used.add(treeId);
    const tree = await trees.load(treeId);
    for (const node of tree.nodes) {
      if (node.type === 'dir' && node.subtree) await visit(node.subtree);
      else if (node.type === 'file') for (const id of node.content ?? []) used.add(id);
    }
    // A refused entry is never restored, but its blobs are kept: refusing is no reason to delete data.
    for (const bad of tree.refused ?? []) {
      for (const id of bad.blobs) {
        if (repo.index.get(id)?.type === 'tree') await visit(id).catch(() => undefined);
        else if (repo.index.has(id)) used.add(id);
      }
    }
  };
  for (const s of snapshots) await visit(s.tree);
  return used;
}
