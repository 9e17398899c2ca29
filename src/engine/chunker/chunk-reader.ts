import type { FileHandle } from 'node:fs/promises';
import type { FastCdc } from './fastcdc.js';

/**
 * Reads a file once, front to back, and yields its content-defined chunks. A yielded Buffer is a view into the
 * read window and stays valid only until the next iteration step; copy it to keep it. Memory stays at one
 * window of 2 × maxSize + readSize.
 */
export async function* readChunks(handle: FileHandle, chunker: FastCdc, readSize = 1024 * 1024): AsyncGenerator<Buffer> {
  const window = Buffer.allocUnsafe(2 * chunker.maxSize + readSize);
  let start = 0;
  let filled = 0;
  let eof = false;
  for (;;) {
    while (!eof && filled - start < chunker.maxSize) {
      if (window.length - filled < readSize) {
        window.copyWithin(0, start, filled);
        filled -= start;
        start = 0;
      }
      const { bytesRead } = await handle.read(window, filled, readSize, null);
      if (bytesRead === 0) eof = true;
      filled += bytesRead;
    }
    if (filled === start) return;
    const length = chunker.cut(window.subarray(start), filled - start);
    yield window.subarray(start, start + length);
    start += length;
  }
}

/** Same chunking over a buffer already in memory (tests, small inputs). */
export function* chunkBuffer(data: Buffer, chunker: FastCdc): Generator<Buffer> {
  let at = 0;
  while (at < data.length) {
    const length = chunker.cut(data.subarray(at), Math.min(data.length - at, chunker.maxSize));
    yield data.subarray(at, at + length);
    at += length;
  }
}
