import type { Repository } from '../repository/repository.js';
import { parseTree, type Tree } from './tree.js';

/** Loads tree blobs, keeping recently used ones (directory trees are read many times during a walk). */
export class TreeLoader {
  private readonly cache = new Map<string, Tree>();
  constructor(
    private readonly repo: Repository,
    private readonly maxEntries = 512,
  ) {}

  async load(id: string): Promise<Tree> {
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const tree = parseTree(await this.repo.loadBlob(id));
    this.cache.set(id, tree);
    if (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return tree;
  }
}
