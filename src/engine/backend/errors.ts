/** A file the caller asked for does not exist in the backend. */
export class BackendNotFoundError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly fileName: string) {
    super(`vault file not found: ${fileName}`);
    this.name = 'BackendNotFoundError';
  }
}

/** A byte range reaches past the end of the stored file. */
export class BackendRangeError extends Error {
  readonly code = 'ERANGE';
  constructor(
    readonly fileName: string,
    offset: number,
    length: number,
    size: number,
  ) {
    super(`range ${offset}+${length} is outside ${fileName} (${size} bytes)`);
    this.name = 'BackendRangeError';
  }
}

export function isNotFoundError(err: unknown): boolean {
  return err instanceof BackendNotFoundError || (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
