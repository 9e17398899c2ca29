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
    for (const node of (await trees.load(treeId)).nodes) {
      if (node.type === 'dir' && node.subtree) await visit(node.subtree);
      else if (node.type === 'file') for (const id of node.content ?? []) used.add(id);
    }
  };
  for (const s of snapshots) await visit(s.tree);
  return used;
}
