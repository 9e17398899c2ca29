import type { Readable } from 'node:stream';
import { assertValidFileName, type ByteRange, type FileInfo, type VaultBackend } from './backend.js';
import { BackendNotFoundError, BackendRangeError } from './errors.js';
import { readAll } from './read-all.js';

/** Keeps the vault in a Map; for tests and as the reference behaviour of the conformance suite. */
export class MemoryBackend implements VaultBackend {
  readonly location = 'memory:';
  private readonly files = new Map<string, Buffer>();

  async save(name: string, data: Buffer | Readable): Promise<void> {
    assertValidFileName(name);
    const content = await readAll(data);
    this.files.set(name, Buffer.from(content));
  }

  async load(name: string, range?: ByteRange): Promise<Buffer> {
    assertValidFileName(name);
    const content = this.files.get(name);
    if (!content) throw new BackendNotFoundError(name);
    if (!range) return Buffer.from(content);
    checkRange(name, range, content.length);
    return Buffer.from(content.subarray(range.offset, range.offset + range.length));
  }

  async stat(name: string): Promise<FileInfo> {
    assertValidFileName(name);
    const content = this.files.get(name);
    if (!content) throw new BackendNotFoundError(name);
    return { name, size: content.length };
  }

  async list(prefix: string): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    for (const [name, content] of this.files) if (name.startsWith(prefix)) out.push({ name, size: content.length });
    return out;
  }

  async remove(name: string): Promise<void> {
    assertValidFileName(name);
    this.files.delete(name);
  }

  async close(): Promise<void> {}

  /** Test helper: direct access to stored bytes (e.g. to flip one). */
  raw(name: string): Buffer | undefined {
    return this.files.get(name);
  }
}

export function checkRange(name: string, range: ByteRange, size: number): void {
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new BackendRangeError(name, offset, length, size);
  }
}
