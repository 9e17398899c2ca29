import type { FileError } from '../../engine/archiver/backup-types.js';

/** Longest error list sent with a report: the count stays exact, the list says it is partial. */
const MAX_LISTED = 1000;

export interface ErrorsDocument {
  count: number;
  reason: string;
  diagnostics: string;
  list: { index: number; path: string; type: string; exception: { code: number; description: string; details: string } }[];
}

/** The documented error types, chosen from the system error code at the start of the engine's reason. */
export function errorType(reason: string, writing: boolean): string {
  const code = /^([A-Z]+):/.exec(reason)?.[1];
  if (code === 'ENOENT') return writing ? 'write_failed' : 'file_or_folder_missing';
  if (code === 'EACCES' || code === 'EPERM') return 'access_denied';
  if (code === 'ENOSPC') return 'write_failed';
  return writing ? 'write_failed' : 'read_failed';
}

const ERRNO_NUMBERS: Record<string, number> = { ENOENT: 2, EIO: 5, EACCES: 13, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, ENOSPC: 28, EPERM: 1, ELOOP: 40 };

export function errorsDocument(errors: FileError[], options: { writing: boolean; diagnostics: string }): ErrorsDocument {
  return {
    count: errors.length,
    reason: errors.length ? 'unable_to_process_some_files' : '',
    diagnostics: errors.length ? options.diagnostics + (errors.length > MAX_LISTED ? ' Partial list follows.' : '') : '',
    list: errors.slice(0, MAX_LISTED).map((error, index) => {
      const code = /^([A-Z]+):/.exec(error.reason)?.[1] ?? '';
      return {
        index,
        path: error.path,
        type: errorType(error.reason, options.writing),
        exception: { code: ERRNO_NUMBERS[code] ?? 0, description: error.reason, details: '' },
      };
    }),
  };
}

/** A job that could not run at all: one entry naming why. */
export function failureDocument(reason: string, message: string): ErrorsDocument {
  return { count: 1, reason, diagnostics: message, list: [{ index: 0, path: '', type: 'phx_exception', exception: { code: 0, description: message, details: '' } }] };
}

export function wireNow(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
