import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { FastCdc } from './fastcdc.js';

/** Bytes a read window needs so that chunking never has to move much data: two maximal chunks plus one read. */
export function windowSize(chunker: FastCdc, readSize: number): number {
  return 2 * chunker.maxSize + readSize;
}

/**
 * Reads a file descriptor from offset 0 to the end with blocking positional reads (meant for worker threads) and yields its
 * content-defined chunks as views into `window`; a view is valid only until the next iteration step.
 * The window must be at least `windowSize(chunker, readSize)` bytes; it is reused, never reallocated.
 */
export function* readChunksSync(fd: number, chunker: FastCdc, window: Buffer, readSize = 1024 * 1024): Generator<Buffer> {
  let start = 0;
  let filled = 0;
  let eof = false;
  let position = 0;
  for (;;) {
    while (!eof && filled - start < chunker.maxSize) {
      if (window.length - filled < readSize) {
        window.copyWithin(0, start, filled);
        filled -= start;
        start = 0;
      }
      const bytesRead = fs.readSync(fd, window, filled, readSize, position);
      position += bytesRead;
      if (bytesRead === 0) eof = true;
      filled += bytesRead;
    }
    if (filled === start) return;
    const length = chunker.cut(window.subarray(start), filled - start);
    yield window.subarray(start, start + length);
    start += length;
  }
}

/** Async variant over a FileHandle (allocates its own window). */
export async function* readChunks(handle: FileHandle, chunker: FastCdc, readSize = 1024 * 1024): AsyncGenerator<Buffer> {
  const window = Buffer.allocUnsafe(windowSize(chunker, readSize));
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
