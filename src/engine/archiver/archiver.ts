import type { BigIntStats } from 'node:fs';
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import { VaultError, throwIfAborted } from '../errors.js';
import type { ArchiveRepository } from './archive-repository.js';
import { Semaphore } from '../semaphore.js';
import { encodeName, encodeTarget, joinPath, nameBytes, parseTree, serializeTree, type TreeNode } from '../vault/tree.js';
import { FileReadError, type ChunkWorkerPool } from './chunk-worker-pool.js';
import { readXattrs } from '../xattrs.js';
import type { BackupFilter } from './backup-filter.js';
import type { BackupState } from './tree-walk-state.js';

/** One directory level of the paths being backed up, above the backup roots themselves. */
interface RootTrie {
  children: Map<string, RootTrie>;
  isRoot: boolean;
}

type Slot = TreeNode | Promise<TreeNode | undefined> | undefined;
/** A file being read is wrapped so that awaiting `entry()` does not wait for the file itself. */
type Entry = TreeNode | { pending: Promise<TreeNode | undefined> } | undefined;

/**
 * Walks the backup roots depth first and writes one tree blob per directory, bottom up. Files go to the worker
 * pool (bounded by a semaphore, so the walk keeps at most `capacity` files in flight); a file whose size,
 * mtime, ctime and inode match the parent snapshot keeps its chunk list without being read.
 */
export class Archiver {
  private readonly fileSlots: Semaphore;
  private fatal: unknown;
  private syncCalls = 0;

  constructor(
    private readonly repo: ArchiveRepository,
    private readonly pool: ChunkWorkerPool,
    private readonly filter: BackupFilter,
    private readonly state: BackupState,
    private readonly signal?: AbortSignal,
  ) {
    this.fileSlots = new Semaphore(pool.capacity);
  }

  /** Backs up `roots` (absolute, normalised) and returns the id of the tree of `/`. */
  async run(roots: string[], parentRootTree?: string): Promise<{ tree: string; rootsFound: number }> {
    const trie: RootTrie = { children: new Map(), isRoot: false };
    for (const root of roots) {
      let node = trie;
      for (const part of root.split('/').filter(Boolean)) {
        if (node.isRoot) break;
        let child = node.children.get(part);
        if (!child) node.children.set(part, (child = { children: new Map(), isRoot: false }));
        node = child;
      }
      node.isRoot = true;
      node.children.clear();
    }
    const countingState = this.state;
    const before = countingState.errors.length;
    const tree = trie.isRoot
      ? await (
          await this.walkDir(Buffer.from('/'), fsSync.statSync('/', { bigint: true }).dev, parentRootTree)
        ).done
      : await this.saveTrie(Buffer.from('/'), trie, parentRootTree);
    const rootsFound = roots.length - countingState.errors.slice(before).filter((e) => roots.includes(e.path)).length;
    return { tree, rootsFound };
  }

  /** Directories that lead to the roots: their metadata is recorded, only the branch to the roots is walked. */
  private async saveTrie(dir: Buffer, trie: RootTrie, parentTree?: string): Promise<string> {
    const parentNodes = await this.loadParentNodes(parentTree);
    const names = [...trie.children.keys()].map((n) => Buffer.from(n)).sort(Buffer.compare);
    const slots: Slot[] = [];
    for (const name of names) {
      const child = trie.children.get(name.toString())!;
      const path = joinPath(dir, name);
      // Directories above a root are followed through symlinks (e.g. /var/run → /run); roots are not.
      const st = await this.lstat(path, !child.isRoot);
      if (!st) continue;
      const parentNode = parentNodes.get(name.toString('latin1'));
      if (child.isRoot) {
        if (this.filter.excludesPath(path.toString())) continue;
        slots.push(unwrap(await this.entry(path, name, st, st.dev, parentNode)));
      } else if (st.isDirectory()) {
        const node = this.withXattrs(path, metadataNode(name, st, 'dir'));
        node.subtree = await this.saveTrie(path, child, parentNode?.type === 'dir' ? parentNode.subtree : undefined);
        slots.push(node);
      } else {
        this.state.addError(path.toString(), new Error('not a directory'));
      }
    }
    return this.saveTree(slots);
  }

  /**
   * Lists a directory and starts its files and subdirectories; returns once the listing is done, with a
   * promise of the directory's tree id that settles when all its entries have been stored. The walk thus moves
   * on to the next directory while this one's files are still being read, and the workers never run dry at
   * directory boundaries.
   */
  private async walkDir(dir: Buffer, rootDev: bigint, parentTree?: string): Promise<{ done: Promise<string> }> {
    this.checkStop();
    const parentNodes = await this.loadParentNodes(parentTree);
    let names: Buffer[] = [];
    try {
      names = fsSync.readdirSync(dir, { encoding: 'buffer' }).sort(Buffer.compare);
    } catch (err) {
      this.state.addError(dir.toString(), err);
    }
    const slots: Slot[] = [];
    for (const name of names) {
      this.checkStop();
      const path = joinPath(dir, name);
      if (this.filter.excludesPath(path.toString())) continue;
      const st = await this.lstat(path);
      if (st) slots.push(unwrap(await this.entry(path, name, st, rootDev, parentNodes.get(name.toString('latin1')))));
    }
    const done = this.saveTree(slots);
    done.catch(() => undefined); // awaited by the parent directory; this only avoids an early unhandled report
    return { done };
  }

  /** Returns the node, or for a file being read a wrapped promise of it (the walk goes on meanwhile). */
  private async entry(path: Buffer, name: Buffer, st: BigIntStats, rootDev: bigint, parentNode?: TreeNode): Promise<Entry> {
    const otherFileSystem = this.filter.oneFileSystem && st.dev !== rootDev;
    if (st.isDirectory()) {
      if (this.filter.excludesDirContents(path)) return undefined;
      const node = this.withXattrs(path, metadataNode(name, st, 'dir'));
      if (otherFileSystem) {
        // A mount point is kept (empty), so a restore recreates the place another file system is mounted on.
        node.subtree = await this.saveTree([]);
        this.state.dirs++;
        return node;
      }
      const { done } = await this.walkDir(path, rootDev, parentNode?.type === 'dir' ? parentNode.subtree : undefined);
      this.state.dirs++;
      return {
        pending: done.then((id) => {
          node.subtree = id;
          return node;
        }),
      };
    }
    if (st.isSymbolicLink()) {
      try {
        const node = metadataNode(name, st, 'symlink');
        Object.assign(node, encodeTarget(await fs.readlink(path, { encoding: 'buffer' })));
        return node;
      } catch (err) {
        this.state.addError(path.toString(), err);
        return undefined;
      }
    }
    if (otherFileSystem) return undefined;
    const special = specialType(st);
    if (special) {
      // Recorded with their metadata (and a device's number); a restore recreates them or reports each one.
      const node = metadataNode(name, st, special);
      if (special === 'chardev' || special === 'blockdev') node.rdev = st.rdev.toString();
      return node;
    }
    if (!st.isFile()) return undefined;
    if (this.filter.excludesFileSize(st.size)) return undefined;
    const node = this.withXattrs(path, metadataNode(name, st, 'file'));
    if (parentNode && this.unchanged(parentNode, node)) {
      node.content = parentNode.content;
      this.state.filesUnmodified++;
      this.state.progress.filesDone++;
      this.state.progress.bytesDone += node.size;
      this.state.emit();
      return node;
    }
    await this.fileSlots.acquire();
    this.checkStop();
    const progress = this.state.progress;
    const known = parentNode?.type === 'file' ? parentNode.content?.filter((id) => this.repo.index.has(id)) : undefined;
    const pending = this.pool
      .processFile(
        path,
        (n) => {
          progress.bytesDone += n;
          this.state.emit();
        },
        known,
      )
      .then(
        (content) => {
          node.content = content.ids;
          node.size = content.size;
          this.state.dataAdded += content.added;
          if (parentNode) this.state.filesChanged++;
          else this.state.filesNew++;
          progress.filesDone++;
          return node;
        },
        (err: unknown) => {
          if (err instanceof FileReadError) {
            this.state.addError(path.toString(), err);
            progress.filesDone++;
          } else {
            this.fatal ??= err;
          }
          return undefined;
        },
      )
      .finally(() => this.fileSlots.release());
    return { pending };
  }

  /** Adds the entry's extended attributes (ACLs and capabilities among them); one it cannot read is reported. */
  private withXattrs(path: Buffer, node: TreeNode): TreeNode {
    const { xattrs, problem } = readXattrs(path);
    if (xattrs) node.xattrs = xattrs;
    if (problem) this.state.addError(path.toString(), new Error(problem));
    return node;
  }

  private unchanged(old: TreeNode, now: TreeNode): boolean {
    return (
      old.type === 'file' &&
      old.size === now.size &&
      old.mtimeNs === now.mtimeNs &&
      old.ctimeNs === now.ctimeNs &&
      old.inode === now.inode &&
      Array.isArray(old.content) &&
      old.content.every((id) => this.repo.index.has(id))
    );
  }

  private async saveTree(slots: Slot[]): Promise<string> {
    const nodes = (await Promise.all(slots)).filter((n): n is TreeNode => n !== undefined);
    this.checkStop();
    return this.repo.saveBlob('tree', serializeTree({ nodes }), this.signal);
  }

  private async loadParentNodes(treeId?: string): Promise<Map<string, TreeNode>> {
    const map = new Map<string, TreeNode>();
    if (!treeId || !this.repo.index.has(treeId)) return map;
    try {
      for (const node of parseTree(await this.repo.loadBlob(treeId)).nodes) map.set(nameBytes(node).toString('latin1'), node);
    } catch {
      // An unreadable parent tree only costs re-reading the files.
    }
    return map;
  }

  /**
   * Metadata calls are synchronous: from the inode cache they take microseconds, whereas a trip through
   * libuv's small thread pool queues behind pack fsyncs and stalls the whole pipeline. The event loop still
   * gets a turn every few entries so worker messages are answered promptly.
   */
  private async lstat(path: Buffer, follow = false): Promise<BigIntStats | undefined> {
    if (++this.syncCalls % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    try {
      return follow ? fsSync.statSync(path, { bigint: true }) : fsSync.lstatSync(path, { bigint: true });
    } catch (err) {
      this.state.addError(path.toString(), err);
      return undefined;
    }
  }

  private checkStop(): void {
    if (this.fatal) throw this.fatal;
    throwIfAborted(this.signal);
  }
}

function unwrap(entry: Entry): Slot {
  if (!entry || !('pending' in entry)) return entry;
  // The parent awaits it with Promise.all later; until then a failure must not count as unhandled.
  entry.pending.catch(() => undefined);
  return entry.pending;
}

function specialType(st: BigIntStats): TreeNode['type'] | undefined {
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'chardev';
  if (st.isBlockDevice()) return 'blockdev';
  return undefined;
}

function metadataNode(name: Buffer, st: BigIntStats, type: TreeNode['type']): TreeNode {
  const node: TreeNode = {
    ...encodeName(name),
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtimeNs: st.mtimeNs.toString(),
    ctimeNs: st.ctimeNs.toString(),
    inode: st.ino.toString(),
    size: type === 'file' ? Number(st.size) : 0,
  };
  if (type === 'file' && st.nlink > 1n) {
    node.links = Number(st.nlink);
    node.device = st.dev.toString();
  }
  return node;
}

export function noRootsError(roots: string[]): VaultError {
  return new VaultError('PATH_NOT_FOUND', `none of the paths to back up could be read: ${roots.join(', ')}`);
}
