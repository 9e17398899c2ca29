import type { AppContext } from './context.js';

export interface Link {
  href: string;
  rel: string;
}

/** Builds absolute URLs for one request: `v2('backups', id)` → `http://host/v2/123456/backups/<id>`. */
export class Urls {
  /** `<base>/v2/<project>`, built once: list pages build several links per item. */
  private readonly v2Prefix: string;

  constructor(
    readonly base: string,
    readonly projectId: string,
  ) {
    this.v2Prefix = `${base}/v2/${encodeURIComponent(projectId)}`;
  }

  v2(...segments: string[]): string {
    let url = this.v2Prefix;
    for (const segment of segments) url += `/${encodeURIComponent(segment)}`;
    return url;
  }

  v3(...segments: string[]): string {
    let url = `${this.base}/v3`;
    for (const segment of segments) url += `/${encodeURIComponent(segment)}`;
    return url;
  }

  link(rel: string, ...segments: string[]): Link {
    return { href: this.v2(...segments), rel };
  }
}

/**
 * The base of every absolute link the server builds (responses, stored events, links handed to agents):
 * COFFER_PUBLIC_URL, or the address the server listens on. Never a request header: a forged `Host` would
 * otherwise send agents and their tokens elsewhere.
 */
export function baseUrl(ctx: AppContext): string {
  return ctx.publicBase();
}

/** `COFFER_PUBLIC_URL` checked: an http(s) URL with no query, fragment or credentials; no trailing slash. */
export function parsePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`COFFER_PUBLIC_URL must be an absolute http(s) URL, got "${value}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash || url.username || url.password) {
    throw new Error(`COFFER_PUBLIC_URL must be an http(s) URL without query, fragment or credentials, got "${value}"`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** 0.0.0.0 and :: listen on every address, none of which is known to be the one clients use. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '';
}
