import { IntegrityError } from '../errors.js';
import { printableName } from './entry-name.js';
import type { Xattr } from '../xattrs.js';
import type { NodeType } from './node-type.js';
import { checkTreeNode, type RefusedEntry } from './tree-check.js';

/**
 * A tree blob lists one directory: its entries sorted by the raw bytes of their names. Names and symlink
 * targets that are not valid UTF-8 keep their exact bytes in `nameB64` / `targetB64` (`name` / `target` then
 * hold a lossy form for display).
 */
export interface TreeNode {
  name: string;
  nameB64?: string;
  type: NodeType;
  /** Permission bits including setuid/setgid/sticky (st_mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Nanoseconds since the epoch, as a decimal string (exceeds 2^53). */
  mtimeNs: string;
  ctimeNs: string;
  inode: string;
  size: number;
  /** Files: ids of the data blobs, in order. */
  content?: string[];
  /** Directories: id of the child tree blob. */
  subtree?: string;
  target?: string;
  targetB64?: string;
  /** Files with more than one name: the link count when backed up, and the device that with `inode` keys the file. */
  links?: number;
  device?: string;
  /** Character and block devices: st_rdev, as a decimal string. */
  rdev?: string;
  /** Files and directories: extended attributes (with ACLs and file capabilities), sorted by name. */
  xattrs?: Xattr[];
}

/** The key that ties the names of one hard-linked file together within a snapshot, or undefined. */
export function hardLinkKey(node: TreeNode): string | undefined {
  return node.type === 'file' && node.links !== undefined && node.links > 1 && node.device !== undefined ? `${node.device}:${node.inode}` : undefined;
}

export interface Tree {
  nodes: TreeNode[];
  /** Entries left out when the blob was parsed (a bad name, a repeated name, a field that lies): see tree-check. */
  refused?: RefusedEntry[];
}

export function encodeName(raw: Buffer): { name: string; nameB64?: string } {
  const name = raw.toString('utf8');
  return Buffer.from(name, 'utf8').equals(raw) ? { name } : { name, nameB64: raw.toString('base64') };
}

export function nameBytes(node: Pick<TreeNode, 'name' | 'nameB64'>): Buffer {
  return node.nameB64 !== undefined ? Buffer.from(node.nameB64, 'base64') : Buffer.from(node.name, 'utf8');
}

export function targetBytes(node: TreeNode): Buffer {
  return node.targetB64 !== undefined ? Buffer.from(node.targetB64, 'base64') : Buffer.from(node.target ?? '', 'utf8');
}

export function encodeTarget(raw: Buffer): { target: string; targetB64?: string } {
  const target = raw.toString('utf8');
  return Buffer.from(target, 'utf8').equals(raw) ? { target } : { target, targetB64: raw.toString('base64') };
}

export function serializeTree(tree: Tree): Buffer {
  return Buffer.from(JSON.stringify({ nodes: tree.nodes }));
}

/**
 * Parses a tree blob. Entries that could not safely be used are left out of `nodes` and listed in `refused`:
 * a name that is not exactly one path component, a name two entries share (every one of them is refused, since
 * which one is meant is unknown), or a field that is missing or lies. A blob that is not a tree at all throws.
 */
export function parseTree(raw: Buffer): Tree {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new IntegrityError('tree blob is not JSON');
  }
  const list = (doc as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(list)) throw new IntegrityError('tree blob without nodes');
  const checked = list.map(checkTreeNode);
  const seen = new Map<string, number>();
  for (const c of checked) if ('nameKey' in c) seen.set(c.nameKey, (seen.get(c.nameKey) ?? 0) + 1);
  const nodes: TreeNode[] = [];
  const refused: RefusedEntry[] = [];
  for (const c of checked) {
    if (!('nameKey' in c)) refused.push(c);
    else if (seen.get(c.nameKey)! > 1) refused.push({ name: printableName(c.node.name), reason: 'another entry of the directory has the same name', blobs: blobsOf(c.node) });
    else nodes.push(c.node);
  }
  return refused.length ? { nodes, refused } : { nodes };
}

function blobsOf(node: TreeNode): string[] {
  return node.type === 'dir' ? [node.subtree!] : (node.content ?? []);
}

/** Joins a directory path and a child name as raw bytes (names may be any bytes but '/' and NUL). */
export function joinPath(dir: Buffer, name: Buffer): Buffer {
  if (dir.length && dir[dir.length - 1] === 0x2f) return Buffer.concat([dir, name]);
  return Buffer.concat([dir, Buffer.from('/'), name]);
}
