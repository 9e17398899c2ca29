import { VaultError } from '../../engine/errors.js';

/** Exit codes, following restic's where they overlap so scripts written for it keep working. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  partial: 3,
  vaultNotFound: 10,
  locked: 11,
  wrongPassword: 12,
  interrupted: 130,
} as const;

const CODE_EXIT: Partial<Record<VaultError['code'], number>> = {
  VAULT_NOT_FOUND: EXIT.vaultNotFound,
  VAULT_LOCKED: EXIT.locked,
  WRONG_PASSWORD: EXIT.wrongPassword,
  ABORTED: EXIT.interrupted,
  INVALID_ARGUMENT: EXIT.usage,
};

/** A failure the user can fix (a missing password, say): printed as it is, exit code 1. */
export class UserError extends Error {}

/** One line for people, never a stack trace (set COFFER_DEBUG=1 to see it). */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (process.env.COFFER_DEBUG) console.error(err);
  if (err instanceof VaultError) {
    const prefix = err.code === 'CORRUPT' ? 'vault data is damaged: ' : '';
    return { message: prefix + err.message, exitCode: CODE_EXIT[err.code] ?? EXIT.failure };
  }
  if (err instanceof UserError) return { message: err.message, exitCode: EXIT.failure };
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { message: `no space left on device${e.path ? ` (${e.path})` : ''}`, exitCode: EXIT.failure };
    case 'EACCES':
    case 'EPERM':
      return { message: `permission denied${e.path ? `: ${e.path}` : ''}`, exitCode: EXIT.failure };
    case 'ENOENT':
      return { message: `not found${e.path ? `: ${e.path}` : ''}`, exitCode: EXIT.failure };
    case 'EROFS':
      return { message: `read-only file system${e.path ? `: ${e.path}` : ''}`, exitCode: EXIT.failure };
  }
  return { message: `unexpected error: ${e?.message ?? String(err)}`, exitCode: EXIT.failure };
}
