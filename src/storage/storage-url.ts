/** Where blobs live, as configured by COFFER_STORAGE_URL. */
export type StorageLocation = { kind: 'local'; root: string } | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Reads COFFER_STORAGE_URL: absent → the local directory `dataDir`; `file:///path` → that directory;
 * `s3://bucket/prefix?endpoint=https://…&region=…&path_style=true` → S3-compatible object storage. Credentials are
 * never part of the URL: the standard AWS sources (environment, shared profiles, instance roles) supply them.
 */
export function parseStorageUrl(value: string | undefined, dataDir: string): StorageLocation {
  if (value === undefined || value.trim() === '') return { kind: 'local', root: dataDir };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`COFFER_STORAGE_URL is not a URL: ${JSON.stringify(value)} (expected s3://bucket/prefix?endpoint=… or file:///path)`);
  }
  if (url.protocol === 'file:') {
    if (decodeURIComponent(url.pathname) === '/' || url.host !== '') throw new Error('COFFER_STORAGE_URL file:///path needs an absolute directory path');
    return { kind: 'local', root: decodeURIComponent(url.pathname) };
  }
  if (url.protocol !== 's3:') throw new Error(`COFFER_STORAGE_URL must start with s3:// or file://, got ${JSON.stringify(url.protocol)}`);
  if (url.username || url.password) throw new Error('COFFER_STORAGE_URL must not hold credentials: use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a profile');
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) throw new Error(`COFFER_STORAGE_URL: ${JSON.stringify(bucket)} is not a valid bucket name`);
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.some((s) => !PREFIX_SEGMENT.test(s) || s === '.' || s === '..')) {
    throw new Error('COFFER_STORAGE_URL: the prefix may hold only letters, digits, "_", "." and "-" between slashes');
  }
  const known = new Set(['endpoint', 'region', 'path_style']);
  for (const key of url.searchParams.keys()) if (!known.has(key)) throw new Error(`COFFER_STORAGE_URL: unknown option ${JSON.stringify(key)} (known: endpoint, region, path_style)`);
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(endpoint);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) throw new Error(`COFFER_STORAGE_URL: endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  const pathStyle = url.searchParams.get('path_style');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') throw new Error('COFFER_STORAGE_URL: path_style must be true or false');
  return {
    kind: 's3',
    bucket,
    prefix: segments.length ? `${segments.join('/')}/` : '',
    endpoint,
    region: url.searchParams.get('region') || process.env.AWS_REGION || 'us-east-1',
    forcePathStyle: pathStyle === 'true',
  };
}

/** The location without anything secret, for logs and messages. */
export function describeLocation(location: StorageLocation): string {
  if (location.kind === 'local') return `local directory ${location.root}`;
  return `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
}
