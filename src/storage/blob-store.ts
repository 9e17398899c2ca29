import type { Readable } from 'node:stream';
import type { ByteRange } from '../engine/backend/backend.js';

export interface BlobInfo {
  key: string;
  size: number;
}

export interface PutOptions {
  /** Refuse bodies longer than this many bytes (TooLargeError); nothing is kept then. */
  limit?: number;
  /** Create only: when the key exists already, nothing is written and BlobExistsError is thrown. */
  ifAbsent?: boolean;
  /** Sees the exact size once the body is stored and before it is put in place: throwing keeps nothing. */
  beforeCommit?: (size: number) => Promise<void>;
}

/** A request the server signed so that a client may do one operation on one object without credentials. */
export interface PresignedRequest {
  method: 'GET' | 'PUT';
  url: string;
  /** Headers the client must send exactly as given (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PresignOptions {
  expiresSeconds: number;
  /** PUT: signed `If-None-Match: *`, so the URL cannot replace an existing object. */
  ifAbsent?: boolean;
  /** PUT: the exact body length, signed, so the URL cannot store more. */
  contentLength?: number;
  /** PUT: the body's MD5 (base64), signed: the storage refuses a body that does not match. */
  contentMd5?: string;
  /** PUT: S3 Object Lock retention of the object, signed, so it cannot be left out. */
  retention?: { mode: 'GOVERNANCE' | 'COMPLIANCE'; until: Date };
}

/**
 * Where the server keeps blobs: vault files and uploaded log files. Keys are `/`-separated paths of
 * [A-Za-z0-9_.-] segments (never `.` or `..`). Implementations: a local directory and S3-compatible object storage;
 * both pass the engine's backend conformance suite through VaultFiles.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Human readable location, for messages (never holds credentials). */
  readonly location: string;
  /** Fails with one line saying what is wrong (missing bucket, refused credentials, unreachable endpoint). */
  check(): Promise<void>;
  /** Stores the whole body atomically and returns its size. */
  put(key: string, body: Buffer | Readable, options?: PutOptions): Promise<number>;
  /** The whole object or a byte range of it; missing → BackendNotFoundError, range past the end → BackendRangeError. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Size, or null when the object does not exist. */
  stat(key: string): Promise<number | null>;
  /** Every object whose key starts with `prefix`, at any depth, in no particular order. */
  list(prefix: string): Promise<BlobInfo[]>;
  /** Deletes an object and returns the bytes freed, or null when it did not exist. */
  remove(key: string): Promise<number | null>;
  /** A short-lived URL for one GET or PUT of one key; only object storage offers it (local → undefined). */
  presign?(method: 'GET' | 'PUT', key: string, options: PresignOptions): Promise<PresignedRequest>;
  /** Object storage only: whether the bucket has S3 Object Lock enabled (so uploads may carry a retention). */
  objectLockEnabled?(): Promise<boolean>;
  close(): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

export function assertValidKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.split('/').some((segment) => segment === '.' || segment === '..') || key.length > 900) {
    throw new TypeError(`invalid blob key: ${JSON.stringify(key)}`);
  }
}

/** A body grew past the limit while it was being stored; nothing was kept. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/** A create-only put found the key taken. */
export class BlobExistsError extends Error {
  constructor(readonly key: string) {
    super(`${key} exists already`);
    this.name = 'BlobExistsError';
  }
}

/** The storage could not be reached or answered with a server error: worth retrying later. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Collects a body into one buffer, refusing more than `limit` bytes. */
export async function collectBody(body: Buffer | Readable, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length > limit) throw new TooLargeError(limit);
    return body;
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of body) {
      const chunk = Buffer.isBuffer(part) ? part : Buffer.from(part as Uint8Array);
      size += chunk.length;
      if (size > limit) throw new TooLargeError(limit);
      parts.push(chunk);
    }
  } catch (err) {
    body.resume();
    throw err;
  }
  return Buffer.concat(parts, size);
}
