import type { Readable } from 'node:stream';
import { FILE_KINDS, vaultFileNameAt, vaultFileSegments, type ByteRange, type FileInfo, type VaultBackend } from '../../engine/backend/backend.js';
import { BackendNotFoundError } from '../../engine/backend/errors.js';
import { collectBody, type BlobStore, type PutOptions } from '../../storage/blob-store.js';

export { TooLargeError } from '../../storage/blob-store.js';

const VAULT_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * One vault's files in the server's blob store, under `vaults/<vault_id>/`. Names are the engine's vault file
 * names (`config`, `<kind>/<id>`), checked before any key is built. Packs are spread over 256 "folders" of
 * `data/` (vaultFileSegments, the engine's local layout; on S3 it is just a key).
 * Implements the engine's backend, so the backend conformance suite runs against every blob store.
 */
export class VaultFiles implements VaultBackend {
  readonly location: string;
  private readonly root: string;

  /** `ownsStore`: closing the vault closes the store too (a command that opened the store for this vault). */
  constructor(
    readonly store: BlobStore,
    readonly vaultId: string,
    private readonly ownsStore = false,
  ) {
    if (!VAULT_ID.test(vaultId)) throw new Error(`invalid vault id ${JSON.stringify(vaultId)}`);
    this.root = `vaults/${vaultId}/`;
    this.location = `${store.location} vault ${vaultId}`;
  }

  /** The blob key of a vault file name. */
  keyOf(name: string): string {
    return this.root + vaultFileSegments(name).join('/');
  }

  /** The vault file name of a blob key under this vault, or null for anything else (temporaries, strays). */
  nameOf(key: string): string | null {
    return key.startsWith(this.root) ? vaultFileNameAt(key.slice(this.root.length).split('/')) : null;
  }

  /** Stores a file; create-only when `ifAbsent` (BlobExistsError when it exists). Returns its size. */
  write(name: string, body: Buffer | Readable, options: PutOptions = {}): Promise<number> {
    return this.store.put(this.keyOf(name), body, options);
  }

  openRead(name: string, range?: ByteRange): Promise<Readable> {
    return this.store.read(this.keyOf(name), range);
  }

  /** Deletes a file and returns the bytes freed, or null when it was already gone. */
  delete(name: string): Promise<number | null> {
    return this.store.remove(this.keyOf(name));
  }

  // ---- the engine's backend -----------------------------------------------------------------------------

  async save(name: string, data: Buffer | Readable): Promise<void> {
    await this.write(name, data);
  }

  async load(name: string, range?: ByteRange): Promise<Buffer> {
    return collectBody(await this.openRead(name, range));
  }

  async stat(name: string): Promise<FileInfo> {
    const size = await this.store.stat(this.keyOf(name));
    if (size === null) throw new BackendNotFoundError(name);
    return { name, size };
  }

  async list(prefix: string): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const scopes = listScopes(prefix);
    for (const scope of scopes) {
      for (const blob of await this.store.list(`${this.root}${scope}`)) {
        const name = this.nameOf(blob.key);
        if (name !== null && name.startsWith(prefix)) out.push({ name, size: blob.size });
      }
    }
    return out;
  }

  async remove(name: string): Promise<void> {
    await this.delete(name);
  }

  async close(): Promise<void> {
    if (this.ownsStore) await this.store.close();
  }
}

/** The key prefixes (under the vault) that hold every name starting with `prefix`. */
function listScopes(prefix: string): string[] {
  if (prefix === '') return [''];
  if (!prefix.includes('/')) {
    const kinds = FILE_KINDS.filter((k) => k.startsWith(prefix)).map((k) => `${k}/`);
    return 'config'.startsWith(prefix) ? ['config', ...kinds] : kinds;
  }
  const [kind, rest] = prefix.split('/', 2) as [string, string];
  if (!(FILE_KINDS as readonly string[]).includes(kind)) return [];
  if (kind === 'data' && rest.length >= 2) return [`data/${rest.slice(0, 2)}/`];
  return [`${kind}/`];
}
