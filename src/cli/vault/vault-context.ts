import type { Command } from 'commander';
import { LocalBackend } from '../../engine/backend/local-backend.js';
import type { VaultBackend } from '../../engine/backend/backend.js';
import { openVault, type Vault } from '../../engine/vault/vault.js';
import { describeError, EXIT } from './vault-errors.js';
import { readPassword } from './vault-password.js';
import { VaultFiles } from '../../resources/vaults/vault-files.js';
import { openBlobStore } from '../../storage/open-blob-store.js';
import { parseStorageUrl } from '../../storage/storage-url.js';

export interface VaultGlobalOptions {
  repo?: string;
  passwordFile?: string;
  json?: boolean;
}

export function globalOptions(cmd: Command): VaultGlobalOptions {
  return cmd.optsWithGlobals<VaultGlobalOptions>();
}

export function backendFor(options: VaultGlobalOptions): VaultBackend {
  const repo = options.repo ?? process.env.COFFER_VAULT_REPO;
  if (!repo) throw new UsageError('no vault given: pass --repo PATH or set COFFER_VAULT_REPO');
  if (repo.startsWith('s3://')) return objectStorageVault(repo);
  return new LocalBackend(repo);
}

/**
 * A vault the server keeps in object storage: `s3://bucket/prefix/vaults/<vault_id>?endpoint=…&path_style=true`
 * (COFFER_STORAGE_URL with the vault's folder appended), read with the standard AWS credentials.
 */
function objectStorageVault(repo: string): VaultBackend {
  const url = new URL(repo);
  const match = /^(.*\/)?vaults\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
  if (!match) throw new UsageError("an s3:// vault is s3://bucket/prefix/vaults/<vault_id>?endpoint=… (the server's COFFER_STORAGE_URL plus vaults/<vault_id>)");
  url.pathname = match[1] ?? '/';
  const location = parseStorageUrl(url.toString(), '');
  return new VaultFiles(openBlobStore(location), match[2]!, true);
}

export async function openFromOptions(options: VaultGlobalOptions): Promise<Vault> {
  const backend = backendFor(options);
  return openVault(backend, await readPassword(options));
}

export class UsageError extends Error {}

/**
 * Wraps a command action: errors become one line on stderr and an exit code; Ctrl-C aborts the running
 * operation through the AbortSignal (a second Ctrl-C exits at once).
 */
export function action<A extends unknown[]>(fn: (signal: AbortSignal, ...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const controller = new AbortController();
    const onSigint = () => {
      if (controller.signal.aborted) process.exit(EXIT.interrupted);
      process.stderr.write('\nstopping…\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      process.exitCode = (await fn(controller.signal, ...args)) ?? EXIT.ok;
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`coffer vault: ${err.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const { message, exitCode } = describeError(err);
      process.stderr.write(`coffer vault: ${message}\n`);
      process.exitCode = exitCode;
    } finally {
      process.off('SIGINT', onSigint);
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function parseCount(label: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${label} must be a non-negative integer, got ${JSON.stringify(value)}`);
    return n;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
