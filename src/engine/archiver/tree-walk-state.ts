import type { BackupOptions, BackupProgress, FileError } from './backup-types.js';

/** Counters and error list shared by the walker and the file jobs of one backup, with throttled progress. */
export class BackupState {
  filesNew = 0;
  filesChanged = 0;
  filesUnmodified = 0;
  dirs = 0;
  dataAdded = 0;
  readonly errors: FileError[] = [];
  readonly progress: BackupProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0, bytesAdded: 0, scanDone: false, errors: 0 };
  private lastEmit = 0;

  constructor(private readonly onProgress: BackupOptions['onProgress']) {}

  addError(path: string, err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    this.errors.push({ path, reason: e?.code ? `${e.code}: ${shortMessage(e)}` : String(e?.message ?? err) });
    this.progress.errors = this.errors.length;
    this.emit();
  }

  emit(force = false): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastEmit < 100) return;
    this.lastEmit = now;
    this.onProgress({ ...this.progress, bytesAdded: this.dataAdded });
  }
}

function shortMessage(e: NodeJS.ErrnoException): string {
  // Node puts the syscall and path in the message; keep only the description.
  return e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}
