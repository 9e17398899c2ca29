import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import type { ByteRange } from '../engine/backend/backend.js';
import { BackendNotFoundError, BackendRangeError } from '../engine/backend/errors.js';
import { assertValidKey, BlobExistsError, collectBody, StorageUnavailableError, type BlobInfo, type BlobStore, type PresignedRequest, type PresignOptions, type PutOptions } from './blob-store.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key; empty or ending in `/`. */
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /** Explicit keys (tests); otherwise the standard AWS credential sources. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Give up on one request after this long (the SDK retries before that). */
  requestTimeoutMs?: number;
}

/**
 * Blobs in an S3-compatible bucket (AWS, Ceph RGW, MinIO, …), path-style or virtual-host style. Create-only puts
 * use `If-None-Match: *`, which the storage enforces atomically. Puts from the server are buffered (the server only
 * writes log files and migrated vault files, each at most 64 MiB); agents upload through presigned URLs.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly location: string;
  private readonly client: S3Client;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.location = `s3://${options.bucket}/${options.prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      maxAttempts: 2,
      // Checksum headers the newest AWS SDKs add by default are not understood by every S3-compatible service.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 60_000 },
    });
  }

  private keyOf(key: string): string {
    assertValidKey(key);
    return `${this.options.prefix}${key}`;
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      const status = statusOf(err);
      const where = `${this.options.endpoint ?? 'AWS S3'}`;
      if (status === 404) throw new Error(`storage: the bucket "${this.options.bucket}" does not exist at ${where}`, { cause: err });
      if (status === 403 || status === 401)
        throw new Error(`storage: ${where} refused the credentials for bucket "${this.options.bucket}" (wrong access key or secret, or no permission)`, { cause: err });
      if (status === 301 || status === 400) throw new Error(`storage: bucket "${this.options.bucket}" at ${where} answered HTTP ${status} (wrong region or addressing style?)`, { cause: err });
      if (isCredentialsMissing(err)) throw new Error(`storage: no S3 credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)`, { cause: err });
      throw new Error(`storage: cannot reach ${where} for bucket "${this.options.bucket}": ${(err as Error).message}`, { cause: err });
    }
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<number> {
    const fullKey = this.keyOf(key);
    const data = await collectBody(body, options.limit);
    await options.beforeCommit?.(data.length);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: fullKey,
          Body: data,
          ContentLength: data.length,
          ContentType: 'application/octet-stream',
          IfNoneMatch: options.ifAbsent ? '*' : undefined,
        }),
      );
    } catch (err) {
      if (options.ifAbsent && statusOf(err) === 412) throw new BlobExistsError(key);
      throw mapError(err, key);
    }
    return data.length;
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    if (range && range.length === 0) {
      const size = await this.stat(key);
      if (size === null) throw new BackendNotFoundError(key);
      if (range.offset < 0 || range.offset > size) throw new BackendRangeError(key, range.offset, range.length, size);
      return Readable.from([]);
    }
    const fullKey = this.keyOf(key);
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: fullKey,
          Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
        }),
      );
      if (range) {
        // S3 shortens a range that runs past the end instead of refusing it; the engine wants it refused.
        const total = Number(/\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1] ?? Number.NaN);
        if (!(range.offset + range.length <= total)) {
          (answer.Body as Readable | undefined)?.destroy();
          throw new BackendRangeError(key, range.offset, range.length, total);
        }
      }
      return (answer.Body as Readable | undefined) ?? Readable.from([]);
    } catch (err) {
      if (err instanceof BackendRangeError) throw err;
      if (statusOf(err) === 416) throw new BackendRangeError(key, range?.offset ?? 0, range?.length ?? 0, -1);
      throw mapError(err, key);
    }
  }

  async stat(key: string): Promise<number | null> {
    const fullKey = this.keyOf(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: fullKey }));
      return Number(head.ContentLength ?? 0);
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw mapError(err, key);
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    let token: string | undefined;
    const full = `${this.options.prefix}${prefix}`;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: full, ContinuationToken: token }));
        for (const item of page.Contents ?? []) {
          if (item.Key === undefined) continue;
          out.push({ key: item.Key.slice(this.options.prefix.length), size: Number(item.Size ?? 0) });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw mapError(err, prefix);
    }
    return out;
  }

  async remove(key: string): Promise<number | null> {
    const size = await this.stat(key);
    if (size === null) return null;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
    } catch (err) {
      if (statusOf(err) === 404) return null;
      throw mapError(err, key);
    }
    return size;
  }

  async presign(method: 'GET' | 'PUT', key: string, options: PresignOptions): Promise<PresignedRequest> {
    const headers: Record<string, string> = {};
    let command;
    if (method === 'PUT') {
      command = new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.keyOf(key),
        IfNoneMatch: options.ifAbsent ? '*' : undefined,
        ContentLength: options.contentLength,
        ContentMD5: options.contentMd5,
        ObjectLockMode: options.retention?.mode,
        ObjectLockRetainUntilDate: options.retention?.until,
      });
      if (options.ifAbsent) headers['if-none-match'] = '*';
      if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
      if (options.contentMd5 !== undefined) headers['content-md5'] = options.contentMd5;
      if (options.retention) {
        headers['x-amz-object-lock-mode'] = options.retention.mode;
        headers['x-amz-object-lock-retain-until-date'] = options.retention.until.toISOString();
      }
    } else {
      command = new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) });
    }
    const url = await getSignedUrl(this.client, command, {
      expiresIn: options.expiresSeconds,
      // Signed as headers, so the URL cannot be used for an overwrite, or without its retention, by leaving them out.
      unhoistableHeaders: new Set([...(options.ifAbsent ? ['if-none-match'] : []), ...(options.retention ? ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date'] : [])]),
      signableHeaders: new Set([...(options.contentLength !== undefined ? ['content-length'] : []), ...(options.contentMd5 !== undefined ? ['content-md5'] : [])]),
    });
    return { method, url, headers, expiresAt: new Date(Date.now() + options.expiresSeconds * 1000) };
  }

  async objectLockEnabled(): Promise<boolean> {
    try {
      const answer = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.options.bucket }));
      return answer.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
    } catch (err) {
      // A bucket created without Object Lock answers 404 ObjectLockConfigurationNotFoundError.
      if (statusOf(err) === 404) return false;
      throw mapError(err, '(bucket Object Lock configuration)');
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isCredentialsMissing(err: unknown): boolean {
  return (err as Error | null)?.name === 'CredentialsProviderError';
}

/** Not found stays the engine's not-found; server errors and network failures become "unavailable". */
function mapError(err: unknown, key: string): unknown {
  const status = statusOf(err);
  if (status === 404) return new BackendNotFoundError(key);
  if (status === undefined && !(err instanceof S3ServiceException) && !isCredentialsMissing(err)) {
    return new StorageUnavailableError(`object storage is unreachable: ${(err as Error).message}`, { cause: err });
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new StorageUnavailableError(`object storage answered HTTP ${status}`, { cause: err });
  }
  return err;
}
