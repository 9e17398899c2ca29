import { entryNameProblem, printableName } from './entry-name.js';
import { NODE_TYPES } from './node-type.js';
import type { TreeNode } from './tree.js';

/** An entry of a tree blob that is not used: the reason, and the blobs it names (prune still keeps those). */
export interface RefusedEntry {
  /** The name as far as it could be read, for messages. */
  name: string;
  reason: string;
  blobs: string[];
}

const BLOB_ID = /^[0-9a-f]{64}$/;
const TIME_NS = /^-?\d{1,30}$/;
const INODE = /^\d{1,30}$/;
const TYPES = new Set<string>(NODE_TYPES);
const DECIMAL = /^\d{1,30}$/;

/**
 * Checks one entry of a tree blob field by field. Tree blobs are authenticated, but whoever holds the vault's key
 * can write any tree, so every field a restore acts on is checked here, once, before anything uses it.
 */
export function checkTreeNode(raw: unknown): { node: TreeNode; nameKey: string } | RefusedEntry {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return refused('?', 'the entry is not an object', raw);
  const node = raw as Record<string, unknown>;
  const name = typeof node.name === 'string' ? node.name : '';
  const label = printableName(name.slice(0, 255)) || '?';
  const bytes = exactBytes(node.name, node.nameB64);
  if (!bytes) return refused(label, 'the name is not a string (or its nameB64 is not base64)', raw);
  const nameProblem = entryNameProblem(bytes);
  if (nameProblem) return refused(label, nameProblem, raw);
  if (bytes.toString('utf8') !== name) return refused(label, 'the name does not match its nameB64 bytes', raw);
  const problem = fieldProblem(node);
  if (problem) return refused(label, problem, raw);
  return { node: node as unknown as TreeNode, nameKey: bytes.toString('latin1') };
}

function fieldProblem(node: Record<string, unknown>): string | undefined {
  if (typeof node.type !== 'string' || !TYPES.has(node.type)) return `the type ${JSON.stringify(node.type)} is unknown`;
  if (!isInt(node.mode, 0o7777)) return 'the mode is not a permission number (0 to 07777)';
  if (!isInt(node.uid, 0xffff_ffff) || !isInt(node.gid, 0xffff_ffff)) return 'the owner (uid/gid) is not a number from 0 to 2^32-1';
  if (!isMatch(node.mtimeNs, TIME_NS) || !isMatch(node.ctimeNs, TIME_NS)) return 'the times are not decimal nanoseconds';
  if (!isMatch(node.inode, INODE)) return 'the inode is not a decimal number';
  if (!isInt(node.size, Number.MAX_SAFE_INTEGER)) return 'the size is not a non-negative integer';
  if (node.links !== undefined && (node.type !== 'file' || !isInt(node.links, 0xffff_ffff) || (node.links as number) < 1)) return 'the link count is not a number from 1 to 2^32-1 on a file';
  if (node.device !== undefined && (node.type !== 'file' || !isMatch(node.device, DECIMAL))) return 'the device is not a decimal number on a file';
  const device = node.type === 'chardev' || node.type === 'blockdev';
  if (device !== (node.rdev !== undefined) || (device && !isMatch(node.rdev, DECIMAL))) return 'a device node needs a decimal rdev, and only a device node has one';
  const xattrProblem = node.xattrs === undefined ? undefined : node.type === 'file' || node.type === 'dir' ? xattrsProblem(node.xattrs) : 'only files and directories have extended attributes';
  if (xattrProblem) return xattrProblem;
  if (node.type === 'fifo' || node.type === 'socket' || device) {
    if (node.content !== undefined || node.subtree !== undefined || node.target !== undefined || node.targetB64 !== undefined) return `a ${node.type} has content, a subtree or a target`;
    if (node.size !== 0) return `a ${node.type} has a size`;
  } else if (node.type === 'file') {
    if (node.content !== undefined && !(Array.isArray(node.content) && node.content.every((id) => isMatch(id, BLOB_ID)))) {
      return 'the content is not a list of blob ids';
    }
    if (node.subtree !== undefined) return 'a file has a subtree';
  } else if (node.type === 'dir') {
    if (!isMatch(node.subtree, BLOB_ID)) return 'the directory has no subtree id';
    if (node.content !== undefined) return 'a directory has content';
  } else if (node.type === 'symlink') {
    const target = exactBytes(node.target ?? '', node.targetB64);
    if (!target || target.length === 0) return 'the symlink has no target';
    if (target.includes(0)) return 'the symlink target contains a NUL byte';
    if (node.content !== undefined || node.subtree !== undefined) return 'a symlink has content or a subtree';
  }
  return undefined;
}

const MAX_XATTRS = 1024;
const MAX_XATTR_NAME = 255;
const MAX_XATTR_VALUE = 65536;
const XATTR_NAME = /^(user|trusted|security|system)\.[^\0]+$/;

/** Extended attributes: a list of `{name, value}` with known namespaces, sorted, unique, values in canonical base64 within Linux's limits. */
function xattrsProblem(list: unknown): string | undefined {
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_XATTRS) return `the extended attributes are not a list of 1 to ${MAX_XATTRS} entries`;
  let previous = '';
  for (const item of list) {
    const { name, value } = (item ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string' || !XATTR_NAME.test(name) || Buffer.byteLength(name) > MAX_XATTR_NAME) return 'an extended attribute has a bad name';
    if (name <= previous) return 'the extended attributes are not sorted by name, or a name repeats';
    previous = name;
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
    if (!bytes || bytes.toString('base64') !== value || bytes.length > MAX_XATTR_VALUE) return `the extended attribute ${name} has a bad value`;
  }
  return undefined;
}

/** The exact bytes of a name or target: `b64` (canonical base64) when present, else the UTF-8 of `text`. */
function exactBytes(text: unknown, b64: unknown): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  if (b64 === undefined) return Buffer.from(text, 'utf8');
  if (typeof b64 !== 'string') return undefined;
  const bytes = Buffer.from(b64, 'base64');
  return bytes.toString('base64') === b64 ? bytes : undefined;
}

function refused(name: string, reason: string, raw: unknown): RefusedEntry {
  return { name, reason, blobs: namedBlobs(raw) };
}

/** Blob ids a refused entry names, so that prune never deletes data because a tree was refused. */
function namedBlobs(raw: unknown): string[] {
  if (raw === null || typeof raw !== 'object') return [];
  const node = raw as Record<string, unknown>;
  const ids = [...(Array.isArray(node.content) ? node.content : []), node.subtree];
  return ids.filter((id): id is string => isMatch(id, BLOB_ID));
}

function isInt(value: unknown, max: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
}

function isMatch(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}
