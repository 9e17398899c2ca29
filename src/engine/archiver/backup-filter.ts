import fsSync from 'node:fs';
import { VaultError } from '../errors.js';
import { joinPath } from '../vault/tree.js';
import { compilePattern, exclusionProblem, type Exclusion } from './exclusion.js';
import { localPath, PathFilter, type PathRule } from './path-filter.js';

/** The cache directory tagging specification: a CACHEDIR.TAG file starting with exactly these bytes. */
const CACHEDIR_TAG = Buffer.from('CACHEDIR.TAG');
const CACHEDIR_SIGNATURE = Buffer.from('Signature: 8a477f597d28d172789f06886806bc55');

/**
 * Decides what a backup leaves out (see Exclusion). Path rules and patterns are judged on the path alone;
 * `larger_than` on a file's size; `if_present` and `caches` by looking into a directory before it is walked;
 * `other_file_systems` by the device a directory is on.
 */
export class BackupFilter {
  private readonly paths: PathFilter;
  private readonly patterns: Array<(path: string) => boolean>;
  private readonly markers: Buffer[];
  private readonly caches: boolean;
  private readonly maxSize: bigint | undefined;
  readonly oneFileSystem: boolean;

  /** Throws INVALID_ARGUMENT on an exclusion that is not usable (they come from outside: a configuration, flags). */
  constructor(exclusions: Exclusion[] = []) {
    exclusions.forEach((rule, index) => {
      const bad = exclusionProblem(rule);
      if (bad) throw new VaultError('INVALID_ARGUMENT', `exclusion ${index + 1} (${JSON.stringify(rule)}): ${bad.field} ${bad.problem}`);
    });
    const pathRules: PathRule[] = [];
    this.patterns = [];
    this.markers = [];
    let caches = false;
    let maxSize: bigint | undefined;
    let oneFileSystem = false;
    for (const rule of exclusions) {
      if (rule.type === 'file' || rule.type === 'folder') pathRules.push({ type: rule.type, path: localPath(rule.path) });
      else if (rule.type === 'pattern') this.patterns.push(compilePattern(rule.path, rule.ignore_case === true));
      else if (rule.type === 'if_present') this.markers.push(Buffer.from(rule.path, 'utf8'));
      else if (rule.type === 'caches') caches = true;
      else if (rule.type === 'larger_than') maxSize = maxSize === undefined || BigInt(rule.size) < maxSize ? BigInt(rule.size) : maxSize;
      else oneFileSystem = true;
    }
    this.paths = new PathFilter([], pathRules);
    this.caches = caches;
    this.maxSize = maxSize;
    this.oneFileSystem = oneFileSystem;
  }

  /** Left out by its path: an exact path rule or a pattern (a directory left out takes everything below it). */
  excludesPath(path: string): boolean {
    return this.paths.isExcluded(path) || this.patterns.some((match) => match(path));
  }

  /** A file left out by its size. */
  excludesFileSize(size: bigint | number): boolean {
    return this.maxSize !== undefined && BigInt(size) > this.maxSize;
  }

  /** A directory left out by what it holds: a marker entry, or a cache directory tag with the right signature. */
  excludesDirContents(dir: Buffer): boolean {
    for (const marker of this.markers) if (exists(joinPath(dir, marker))) return true;
    return this.caches && isTaggedCache(joinPath(dir, CACHEDIR_TAG));
  }
}

function exists(path: Buffer): boolean {
  try {
    fsSync.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Only a regular file whose first bytes are the signature counts (the specification's check). */
function isTaggedCache(path: Buffer): boolean {
  let fd: number | undefined;
  try {
    fd = fsSync.openSync(path, fsSync.constants.O_RDONLY | fsSync.constants.O_NOFOLLOW | fsSync.constants.O_NONBLOCK);
    if (!fsSync.fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(CACHEDIR_SIGNATURE.length);
    const n = fsSync.readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.equals(CACHEDIR_SIGNATURE);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fsSync.closeSync(fd);
  }
}
