import { cofferVersion } from '../version.js';
import type { Logger } from 'pino';
import type { AgentConfig } from './agent-config.js';
import { ApiError, parseBody } from '../net/api-error.js';
import { hostFacts } from './host-identity.js';
import { DEFAULT_RETRY, fetchWithRetry, type RetryPolicy } from '../net/retry.js';
import type { TokenSource } from '../net/token-refresh.js';

/** What the agent reports as its version: Coffer's own, from package.json. */
export const AGENT_VERSION = cofferVersion();

/** Refresh this long before the token expires (see scheduleRefresh for short-lived tokens). */
const REFRESH_MARGIN_MS = 5 * 60_000;
const LOGIN_RETRY: RetryPolicy = { ...DEFAULT_RETRY, attempts: Number.POSITIVE_INFINITY, maxDelayMs: 15_000 };

/** The server no longer knows this agent (it was deleted, or its password replaced): retrying cannot help. */
export class AgentGoneError extends Error {
  constructor(
    readonly agentId: string,
    serverMessage: string,
  ) {
    super(`agent ${agentId} is no longer registered with the server (login refused: ${serverMessage || 'HTTP 401'}); register this host again with "coffer agent register"`);
    this.name = 'AgentGoneError';
  }
}

/**
 * The agent's login (`POST /agents/tokens` with id, password and fingerprint) and its token: refreshed on a timer
 * before it expires, and at once when the server refuses it. Logging in retries server and network errors forever;
 * a refusal (wrong password, another host's fingerprint) is final.
 */
export class AgentSession implements TokenSource {
  private current: { id: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly abort: AbortSignal,
    /** Told once the server refuses the agent's own credentials (the daemon stops). */
    private readonly onGone?: (error: AgentGoneError) => void,
  ) {}

  async token(): Promise<string> {
    if (this.current && this.current.expiresAt - Date.now() > 5_000) return this.current.id;
    return this.login();
  }

  async refresh(refused: string): Promise<string> {
    if (this.current && this.current.id !== refused) return this.current.id;
    this.current = undefined;
    return this.login();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private login(): Promise<string> {
    this.pending ??= this.loginWithRetries().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async loginWithRetries(): Promise<string> {
    const url = `${this.config.api}/v2/${encodeURIComponent(this.config.projectId)}/agents/tokens`;
    const facts = hostFacts();
    const body = JSON.stringify({
      project_id: this.config.projectId,
      id: this.config.agentId,
      password: this.config.password,
      name: this.config.name,
      version: AGENT_VERSION,
      host: { os: facts.os, fingerprint: this.config.fingerprint, addresses: facts.addresses },
      // The server refuses to create tasks for an agent that says they are off; the agent checks each task anyway.
      capabilities: { tasks: this.config.tasks?.enabled === true },
    });
    // Logging in is retried for as long as it takes: without a token the agent can do nothing else.
    const response = await fetchWithRetry(
      () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-project-id': this.config.projectId }, body, signal: this.abort }),
      LOGIN_RETRY,
      {
        signal: this.abort,
        onRetry: ({ status, error }) => this.log.warn({ status, err: (error as Error | undefined)?.message }, 'login failed; retrying'),
      },
    );
    const text = await response.text();
    if (response.ok) {
      const token = (JSON.parse(text) as { token: { id: string; expires: string } }).token;
      this.current = { id: token.id, expiresAt: Date.parse(token.expires) };
      this.scheduleRefresh();
      this.log.info({ expires: token.expires }, 'logged in');
      return token.id;
    }
    const refusal = ApiError.forRequest('POST', url, response.status, parseBody(text));
    if (response.status === 401) {
      const gone = new AgentGoneError(this.config.agentId, refusal.serverMessage);
      this.onGone?.(gone);
      throw gone;
    }
    throw refusal;
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    if (this.closed || !this.current) return;
    const life = this.current.expiresAt - Date.now();
    // Long-lived tokens are renewed five minutes ahead; short-lived ones at 80 % of their life.
    const delay = Math.max(1_000, life > 2 * REFRESH_MARGIN_MS ? life - REFRESH_MARGIN_MS : life * 0.8);
    const stale = this.current.id;
    this.timer = setTimeout(
      () => {
        this.refresh(stale).catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'token refresh failed'));
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    this.timer.unref();
  }
}
