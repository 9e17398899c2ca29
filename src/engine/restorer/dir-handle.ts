import fsSync from 'node:fs';
import { promisify } from 'node:util';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fsSync.constants;
const OPEN_DIR = O_RDONLY | O_DIRECTORY;
/** Plain descriptors (a FileHandle would close itself when collected, under the restore's feet). */
const openFd = promisify(fsSync.open);

/** Linux resolves `/proc/self/fd/<n>/<name>` as `name` inside the directory open as <n>, like openat(2). */
const BY_DESCRIPTOR = process.platform === 'linux' && fsSync.existsSync('/proc/self/fd');

/**
 * A directory a restore has open, and the only way the restore names anything in it: `entry(name)` is a path
 * that the kernel resolves from the open directory itself, never from the root down, so a symlink or a rename
 * in the directories above cannot redirect it; names are single components (checked when the tree was parsed)
 * and each directory is entered with O_NOFOLLOW, so no symlink is followed anywhere below the target.
 * Guaranteed on Linux: no symlink is followed and no file or directory is created, opened or changed outside
 * the directories the walk entered, even if entries are swapped while it runs. Not guaranteed: a local user who
 * can write into a directory that existed before the restore could swap a just-made symlink for a hard link
 * before its owner and times are set by name (Node has no fchownat; protected_hardlinks limits this to files
 * that user may already write).
 * Elsewhere (no /proc) entries are named by path and each directory is still opened with O_NOFOLLOW, but
 * directories above it could be swapped during the restore.
 */
export class DirHandle {
  private constructor(
    readonly fd: number,
    /** Prefix of every entry's path, ending in '/' (what worker threads are handed). */
    readonly prefix: Buffer,
  ) {}

  /** Opens the restore's target. It is the caller's own choice, so a symlink there is followed. */
  static async openTarget(path: Buffer): Promise<DirHandle> {
    return DirHandle.wrap(await openFd(path, OPEN_DIR), path);
  }

  /** The path of `name` inside this directory (`name` is one component). */
  entry(name: Buffer): Buffer {
    return Buffer.concat([this.prefix, name]);
  }

  /**
   * The path of `name` inside this directory for another process this one starts (an ASCII name: it goes on a
   * command line). On Linux it is reached through this process's descriptor, like `entry`.
   */
  entryForChildProcess(name: string): string {
    return BY_DESCRIPTOR ? `/proc/${process.pid}/fd/${this.fd}/${name}` : `${this.prefix.toString()}${name}`;
  }

  /** Enters the child directory `name`; a symlink there fails (ELOOP) instead of being followed. */
  async openChild(name: Buffer): Promise<DirHandle> {
    return DirHandle.wrap(await openFd(this.entry(name), OPEN_DIR | O_NOFOLLOW), this.entry(name));
  }

  close(): void {
    fsSync.close(this.fd);
  }

  private static wrap(fd: number, path: Buffer): DirHandle {
    const base = BY_DESCRIPTOR ? Buffer.from(`/proc/self/fd/${fd}/`) : Buffer.concat([path, Buffer.from(path[path.length - 1] === 0x2f ? '' : '/')]);
    return new DirHandle(fd, base);
  }
}
