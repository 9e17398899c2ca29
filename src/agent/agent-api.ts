import type { Logger } from 'pino';
import type { AgentConfig } from './agent-config.js';
import { ApiError, parseBody } from '../net/api-error.js';
import { ForeignLinkError, onApiOrigin } from './api-origin.js';
import { fetchWithRetry, type RetryPolicy } from '../net/retry.js';
import { sendWithToken } from '../net/token-refresh.js';
import { outageRetry } from './outage-retry.js';
import type { AgentSession } from './session.js';

export interface CallOptions {
  body?: unknown;
  /** Raw body (bytes) instead of JSON. */
  raw?: Buffer;
  contentType?: string;
  /** Default: the agent's outage policy (a server restart or network cut is ridden out). */
  retry?: RetryPolicy;
  signal?: AbortSignal;
  /** Statuses that are answers rather than errors (e.g. 404 for "not there yet"). */
  accept?: number[];
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * The agent's HTTP client for the API: its token and `X-Agent-Id` on every call, a 401 answered by logging in
 * again, 4xx final, and 5xx / 429 / network errors retried (fetchWithRetry) per the call's policy: by default for as
 * long as the agent's outage window, so reports survive a server restart.
 */
export class AgentApi {
  readonly base: string;

  constructor(
    readonly config: AgentConfig,
    readonly session: AgentSession,
    private readonly log: Logger,
    readonly outage: RetryPolicy = outageRetry(),
  ) {
    this.base = config.api.replace(/\/+$/, '');
  }

  v2(...segments: string[]): string {
    return [`${this.base}/v2/${encodeURIComponent(this.config.projectId)}`, ...segments.map(encodeURIComponent)].join('/');
  }

  v3(...segments: string[]): string {
    return [`${this.base}/v3`, ...segments.map(encodeURIComponent)].join('/');
  }

  agentUrl(...segments: string[]): string {
    return this.v2('agents', this.config.agentId, ...segments);
  }

  async get<T>(url: string, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    return this.call<T>('GET', url, options);
  }

  /** A JSON Patch report; re-sending it is harmless (states and counters are absolute values). */
  async patch(url: string, operations: { op: 'replace' | 'add'; path: string; value: unknown }[], options: CallOptions = {}): Promise<void> {
    await this.call('PATCH', url, { body: operations, contentType: 'application/json-patch+json', ...options });
  }

  async post<T>(url: string, body: unknown, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', url, { body, ...options });
  }

  /**
   * Links come from the server; the token is sent only to the API's own origin, so a link elsewhere (a forged
   * `Host` at the server, a hostile proxy) is refused with a log line instead of followed.
   */
  assertOwnOrigin(url: string): void {
    if (onApiOrigin(this.base, url)) return;
    const refused = new ForeignLinkError(url, this.base);
    this.log.error({ link: url, api: this.base }, refused.message);
    throw refused;
  }

  async call<T>(method: string, url: string, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    this.assertOwnOrigin(url);
    const policy = options.retry ?? this.outage;
    const send = (token: string) =>
      fetchWithRetry(
        () =>
          fetch(url, {
            method,
            headers: this.headers(token, options),
            body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
            signal: options.signal,
            // A redirect would carry the token to wherever it points.
            redirect: 'error',
          }),
        policy,
        {
          signal: options.signal,
          onRetry: ({ attempt, status, error }) =>
            this.log.warn({ method, url, status, err: (error as Error | undefined)?.message, attempt }, status ? 'server error; retrying' : 'server unreachable; retrying'),
        },
      );
    const response = await sendWithToken(this.session, send);
    const body = parseBody(await response.text());
    if (response.ok || options.accept?.includes(response.status)) return { status: response.status, headers: response.headers, body: body as T };
    throw ApiError.forRequest(method, url, response.status, body);
  }

  private headers(token: string, options: CallOptions): Record<string, string> {
    const headers: Record<string, string> = {
      'x-auth-token': token,
      'x-agent-id': this.config.agentId,
      'x-project-id': this.config.projectId,
    };
    if (options.raw !== undefined) headers['content-type'] = options.contentType ?? 'application/octet-stream';
    else if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    return headers;
  }
}
