import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { newCutState, type FastCdc } from './fastcdc.js';

/** Bytes a read window needs: one maximal chunk plus one read. */
export function windowSize(chunker: FastCdc, readSize: number): number {
  return chunker.maxSize + readSize;
}

type ReadInto = (window: Buffer, offset: number, length: number, position: number) => number | Promise<number>;

/**
 * Shared loop of the readers: reads only as far as the chunker needs (it resumes its scan), so the window
 * never holds more than one chunk plus one read, and moving the unfinished chunk to the front is rare.
 */
async function* chunksOf(read: ReadInto, chunker: FastCdc, window: Buffer, readSize: number): AsyncGenerator<Buffer> {
  let start = 0;
  let filled = 0;
  let position = 0;
  let eof = false;
  let state = newCutState();
  for (;;) {
    if (filled > start || eof) {
      const length = chunker.cutResumable(window.subarray(start), filled - start, eof, state);
      if (length > 0) {
        yield window.subarray(start, start + length);
        start += length;
        state = newCutState();
        continue;
      }
      if (eof) return;
    }
    if (window.length - filled < readSize) {
      window.copyWithin(0, start, filled);
      filled -= start;
      start = 0;
    }
    const bytesRead = await read(window, filled, readSize, position);
    if (bytesRead === 0) eof = true;
    filled += bytesRead;
    position += bytesRead;
  }
}

/**
 * Reads a file descriptor from offset 0 to the end with blocking positional reads (for worker threads) and
 * yields its content-defined chunks as views into `window`, valid only until the next step. The window
 * (at least `windowSize` bytes) is reused, never reallocated.
 *
 * The loop repeats `chunksOf` on purpose: a synchronous generator spares the chunk workers' hot path a microtask
 * and a promise per chunk and per read.
 */
export function* readChunksSync(fd: number, chunker: FastCdc, window: Buffer, readSize = 1024 * 1024): Generator<Buffer> {
  let start = 0;
  let filled = 0;
  let position = 0;
  let eof = false;
  let state = newCutState();
  for (;;) {
    if (filled > start || eof) {
      const length = chunker.cutResumable(window.subarray(start), filled - start, eof, state);
      if (length > 0) {
        yield window.subarray(start, start + length);
        start += length;
        state = newCutState();
        continue;
      }
      if (eof) return;
    }
    if (window.length - filled < readSize) {
      window.copyWithin(0, start, filled);
      filled -= start;
      start = 0;
    }
    const bytesRead = fs.readSync(fd, window, filled, readSize, position);
    if (bytesRead === 0) eof = true;
    filled += bytesRead;
    position += bytesRead;
  }
}

/** Async variant over a FileHandle (allocates its own window). */
export function readChunks(handle: FileHandle, chunker: FastCdc, readSize = 1024 * 1024): AsyncGenerator<Buffer> {
  const window = Buffer.allocUnsafe(windowSize(chunker, readSize));
  return chunksOf(async (buf, offset, length, position) => (await handle.read(buf, offset, length, position)).bytesRead, chunker, window, readSize);
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
