import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';

/**
 * The S3-compatible storage tests run against (a real Ceph RADOS Gateway started by .ci/ceph.sh, which exports
 * COFFER_TEST_S3_ENDPOINT, COFFER_TEST_S3_ACCESS_KEY and COFFER_TEST_S3_SECRET_KEY). Without it the S3 tests are
 * skipped, unless COFFER_REQUIRE_S3=1 (CI), where they fail.
 */
export interface TestS3 {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function testS3(): TestS3 | undefined {
  const endpoint = process.env.COFFER_TEST_S3_ENDPOINT;
  const accessKeyId = process.env.COFFER_TEST_S3_ACCESS_KEY;
  const secretAccessKey = process.env.COFFER_TEST_S3_SECRET_KEY;
  if (endpoint && accessKeyId && secretAccessKey) return { endpoint, accessKeyId, secretAccessKey };
  if (process.env.COFFER_REQUIRE_S3 === '1') {
    throw new Error('COFFER_REQUIRE_S3=1 but COFFER_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY are not set: start .ci/ceph.sh');
  }
  return undefined;
}

/** Why S3 tests are skipped here, or false when they run. */
export function s3Skip(): string | false {
  return testS3() ? false : 'no S3 storage for tests (source .ci/ceph.sh and start_ceph)';
}

export function adminClient(s3: TestS3): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export interface TestBucket {
  name: string;
  /** COFFER_STORAGE_URL for this bucket (path-style, at the test endpoint). */
  url(prefix?: string): string;
  store(prefix?: string): S3BlobStore;
  keys(prefix?: string): Promise<string[]>;
  drop(): Promise<void>;
}

/**
 * A fresh bucket for one test file; `drop` empties and deletes it. With `objectLock` the bucket has S3 Object Lock
 * (and so versioning) enabled; `drop` then removes every version, bypassing GOVERNANCE retention (tests use no other).
 */
export async function createTestBucket(s3: TestS3, options: { objectLock?: boolean } = {}): Promise<TestBucket> {
  const client = adminClient(s3);
  const name = `coffer-test-${randomBytes(5).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: options.objectLock }));
  const keys = async (prefix = ''): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: name, Prefix: prefix, ContinuationToken: token }));
      for (const item of page.Contents ?? []) if (item.Key) out.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  };
  return {
    name,
    url: (prefix = '') => `s3://${name}/${prefix}?endpoint=${encodeURIComponent(s3.endpoint)}&region=us-east-1&path_style=true`,
    store: (prefix = '') =>
      new S3BlobStore({ bucket: name, prefix, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }),
    keys,
    async drop() {
      if (options.objectLock) {
        const versions = await client.send(new ListObjectVersionsCommand({ Bucket: name }));
        const all = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
        for (let i = 0; i < all.length; i += 1000) {
          await client.send(new DeleteObjectsCommand({ Bucket: name, BypassGovernanceRetention: true, Delete: { Objects: all.slice(i, i + 1000) } }));
        }
      }
      const all = await keys();
      for (let i = 0; i < all.length; i += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: all.slice(i, i + 1000).map((Key) => ({ Key })) } }));
      }
      await client.send(new DeleteBucketCommand({ Bucket: name }));
      client.destroy();
    },
  };
}

/** The standard AWS environment variables for the test storage (how the server finds its credentials). */
export function useS3Credentials(s3: TestS3): void {
  process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
}
