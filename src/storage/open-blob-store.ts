import { LocalBlobStore } from './local-blob-store.js';
import { S3BlobStore } from './s3-blob-store.js';
import type { BlobStore } from './blob-store.js';
import type { StorageLocation } from './storage-url.js';

export function openBlobStore(location: StorageLocation): BlobStore {
  if (location.kind === 'local') return new LocalBlobStore(location.root);
  return new S3BlobStore(location);
}
