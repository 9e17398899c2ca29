import type { Logger } from 'pino';
import type { AgentConfig } from './agent-config.js';
import { ApiError, serverMessageOf } from './api-error.js';
import { ForeignLinkError, onApiOrigin } from './api-origin.js';
import { backoffDelay, isFinalStatus, sleep, type RetryPolicy } from './retry.js';
import type { AgentSession } from './session.js';

/** Reports must survive a server restart: keep trying for a few minutes. */
export const REPORT_RETRY: RetryPolicy = { attempts: 25, baseDelayMs: 250, maxDelayMs: 10_000 };
/** Reads during a job: a shorter patience. */
export const READ_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 250, maxDelayMs: 5_000 };

export interface CallOptions {
  body?: unknown;
  /** Raw body (bytes) instead of JSON. */
  raw?: Buffer;
  contentType?: string;
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
 * again, 4xx final, and 5xx / 429 / network errors retried with backoff per the call's policy.
 */
export class AgentApi {
  readonly base: string;

  constructor(
    readonly config: AgentConfig,
    readonly session: AgentSession,
    private readonly log: Logger,
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
    return this.call<T>('GET', url, { retry: READ_RETRY, ...options });
  }

  /** A JSON Patch report; re-sending it is harmless (states and counters are absolute values). */
  async patch(url: string, operations: { op: 'replace' | 'add'; path: string; value: unknown }[], options: CallOptions = {}): Promise<void> {
    await this.call('PATCH', url, { body: operations, contentType: 'application/json-patch+json', retry: REPORT_RETRY, ...options });
  }

  async post<T>(url: string, body: unknown, options: CallOptions = {}): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', url, { body, retry: REPORT_RETRY, ...options });
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
    const policy = options.retry ?? REPORT_RETRY;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.session.token();
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await fetch(url, {
          method,
          headers: this.headers(token, options),
          body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
          signal: options.signal,
          // A redirect would carry the token to wherever it points.
          redirect: 'error',
        });
      } catch (err) {
        if (options.signal?.aborted) throw err;
        failure = err;
      }
      if (response) {
        if (response.status === 401 && !refreshed) {
          refreshed = true;
          await response.body?.cancel();
          await this.session.refresh(token);
          attempt--;
          continue;
        }
        const text = await response.text();
        if (response.ok || options.accept?.includes(response.status)) {
          return { status: response.status, headers: response.headers, body: (text === '' ? undefined : safeJson(text)) as T };
        }
        if (isFinalStatus(response.status) || attempt + 1 >= policy.attempts) {
          throw new ApiError(response.status, method, url, serverMessageOf(text));
        }
        this.log.warn({ method, url, status: response.status, attempt }, 'server error; retrying');
        await sleep(backoffDelay(policy, attempt, response.headers.get('retry-after')), options.signal);
        continue;
      }
      if (attempt + 1 >= policy.attempts) throw failure;
      this.log.warn({ method, url, err: (failure as Error)?.message, attempt }, 'server unreachable; retrying');
      await sleep(backoffDelay(policy, attempt), options.signal);
    }
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

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
