import type { FastifyRequest } from 'fastify';

export interface Link {
  href: string;
  rel: string;
}

/** Builds absolute URLs for one request: `v2('backups', id)` → `http://host/v2/123456/backups/<id>`. */
export class Urls {
  constructor(
    readonly base: string,
    readonly projectId: string,
  ) {}

  v2(...segments: string[]): string {
    return [`${this.base}/v2/${encodeURIComponent(this.projectId)}`, ...segments.map(encodeURIComponent)].join('/');
  }

  v3(...segments: string[]): string {
    return [`${this.base}/v3`, ...segments.map(encodeURIComponent)].join('/');
  }

  link(rel: string, ...segments: string[]): Link {
    return { href: this.v2(...segments), rel };
  }
}

export function baseUrl(request: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured;
  return `${request.protocol}://${request.host}`;
}
