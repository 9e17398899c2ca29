import { createRequire } from 'node:module';

/**
 * Extended attributes, which also carry POSIX ACLs (`system.posix_acl_access`, `system.posix_acl_default`) and
 * file capabilities (`security.capability`). Node has no xattr calls; @napi-rs/xattr provides them in-process (its
 * calls are the l- variants: a symlink's own attributes, never its target's). bench/engine/xattr-cost.ts measured
 * it no slower than getfattr/setfattr in batches, without their child processes or the parsing of getfattr's
 * escaped text (figures in docs/vault-format.md).
 */
export interface Xattr {
  name: string;
  /** The value, base64. */
  value: string;
}

interface XattrModule {
  listAttributesSync(path: string): string[];
  getAttributeSync(path: string, name: string): Buffer | null;
  setAttributeSync(path: string, name: string, value: Uint8Array): void;
}

let loaded: XattrModule | null | undefined;

function xattrModule(): XattrModule | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@napi-rs/xattr') as XattrModule;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/** Errors that mean "this file system keeps no extended attributes": nothing to store, not a failure. */
const UNSUPPORTED = /ENOTSUP|EOPNOTSUPP|not supported/i;

/** A path for the xattr calls, which take strings: undefined when the bytes are not UTF-8 (they would be altered). */
function textPath(path: Buffer): string | undefined {
  const text = path.toString('utf8');
  return Buffer.from(text, 'utf8').equals(path) ? text : undefined;
}

/** The attributes of `path` (sorted by name), none, or the reason they could not be read. */
export function readXattrs(path: Buffer): { xattrs?: Xattr[]; problem?: string } {
  const xattr = xattrModule();
  if (!xattr) return {};
  const p = textPath(path);
  // The library takes paths as text: an entry whose path is not UTF-8 keeps its attributes out. Not reported as an
  // error, which would mark every backup of such a tree as failing in part (a known limit, in vault-format.md).
  if (p === undefined) return {};
  try {
    const names = xattr.listAttributesSync(p).sort();
    if (names.length === 0) return {};
    const xattrs: Xattr[] = [];
    for (const name of names) {
      const value = xattr.getAttributeSync(p, name);
      if (value) xattrs.push({ name, value: value.toString('base64') });
    }
    return xattrs.length ? { xattrs } : {};
  } catch (err) {
    const message = (err as Error).message;
    return UNSUPPORTED.test(message) ? {} : { problem: `extended attributes not read: ${message}` };
  }
}

/** Sets each attribute on `path`; returns one problem per attribute that could not be set. */
export function writeXattrs(path: Buffer, xattrs: Xattr[]): string[] {
  const xattr = xattrModule();
  if (!xattr) return [`extended attributes not restored (${xattrs.map((x) => x.name).join(', ')}): this platform has no xattr support`];
  const p = textPath(path);
  if (p === undefined) return ['extended attributes not restored: the path is not valid UTF-8'];
  const problems: string[] = [];
  for (const { name, value } of xattrs) {
    try {
      xattr.setAttributeSync(p, name, Buffer.from(value, 'base64'));
    } catch (err) {
      problems.push(`extended attribute ${name} not restored: ${(err as Error).message}`);
    }
  }
  return problems;
}
