/** Errors the engine raises on purpose; `code` is stable so the CLI and the agent can map them. */
export type VaultErrorCode =
  | 'WRONG_PASSWORD'
  | 'WRONG_KEY'
  | 'READ_ONLY'
  | 'VAULT_NOT_FOUND'
  | 'VAULT_EXISTS'
  | 'VAULT_LOCKED'
  | 'CORRUPT'
  | 'SNAPSHOT_NOT_FOUND'
  | 'PATH_NOT_FOUND'
  | 'NO_SPACE'
  | 'ABORTED'
  | 'INVALID_ARGUMENT';

export class VaultError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VaultError';
  }
}

/** Thrown when authenticated decryption or a content hash fails: data was altered or damaged. */
export class IntegrityError extends VaultError {
  constructor(message: string) {
    super('CORRUPT', message);
    this.name = 'IntegrityError';
  }
}

export function abortError(): VaultError {
  return new VaultError('ABORTED', 'operation stopped on request');
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError();
}

/** Turns low-level errors that people can act on (full disk, permissions) into VaultErrors. */
export function describeIoError(err: unknown, what: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new VaultError('NO_SPACE', `no space left on the vault storage while ${what}`, { cause: err });
  return err;
}
