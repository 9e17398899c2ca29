/**
 * How an HTTP call is retried: server errors (5xx, 408, 429) and network failures, with exponential backoff, until
 * the attempts or the time window run out. The one retry mechanism of the agent and the CLI: the agent's reports,
 * reads, vault transfers and logins go through fetchWithRetry; the CLI's watch waits out a lost server with
 * backoffDelay.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (Infinity: bounded by `withinMs` or the caller's signal only). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts later than this after the first attempt (a server restart or a network cut of this long is ridden out). */
  withinMs?: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

/** An answer that retrying will not change (4xx other than 408 and 429). */
export function isFinalStatus(status: number): boolean {
  return status < 500 && status !== 408 && status !== 429;
}

export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | null): number {
  const hinted = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  // Full jitter keeps many agents that lost the server at the same moment from coming back in step.
  return Math.max(Math.min(hinted, policy.maxDelayMs), Math.round(exponential / 2 + Math.random() * (exponential / 2)));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a retry is about to wait for: the answer (or the network error) and the delay. */
export interface RetryNotice {
  attempt: number;
  status?: number;
  error?: unknown;
  delayMs: number;
}

export interface RetryOptions {
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Runs `send` until it yields a final answer: any 2xx/3xx/4xx response is returned as is (4xx are final), a 5xx,
 * 408 or 429 response or a thrown network error is retried after a backoff, while attempts and the policy's time
 * window last. The last response or error is returned or thrown when they run out; an abort ends it at once.
 */
export async function fetchWithRetry(send: () => Promise<Response>, policy: RetryPolicy = DEFAULT_RETRY, options: RetryOptions | AbortSignal = {}): Promise<Response> {
  const { signal, onRetry } = options instanceof AbortSignal ? { signal: options, onRetry: undefined } : options;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await send();
    } catch (err) {
      if (signal?.aborted) throw err;
      failure = err;
    }
    if (response && isFinalStatus(response.status)) return response;
    const delayMs = backoffDelay(policy, attempt, response?.headers.get('retry-after'));
    const outOfTime = policy.withinMs !== undefined && Date.now() + delayMs - started > policy.withinMs;
    if (attempt + 1 >= policy.attempts || outOfTime) {
      if (response) return response;
      throw failure;
    }
    await response?.body?.cancel().catch(() => undefined);
    onRetry?.({ attempt, status: response?.status, error: failure, delayMs });
    await sleep(delayMs, signal);
  }
}
