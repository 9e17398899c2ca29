/** How an HTTP call is retried: server errors (5xx, 429) and network failures, with exponential backoff. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

/** An answer that retrying will not change (4xx other than 408 and 429). */
export function isFinalStatus(status: number): boolean {
  return status < 500 && status !== 408 && status !== 429;
}

export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfter?: string | null): number {
  const hinted = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
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

/**
 * Runs `send` until it yields a final answer: any 2xx/3xx/4xx response is returned as is (4xx are final), a 5xx
 * or 429 response or a thrown network error is retried after a backoff, up to `policy.attempts` in all. The last
 * response or error is returned or thrown when attempts run out.
 */
export async function fetchWithRetry(send: () => Promise<Response>, policy: RetryPolicy = DEFAULT_RETRY, signal?: AbortSignal): Promise<Response> {
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
    if (attempt + 1 >= policy.attempts) {
      if (response) return response;
      throw failure;
    }
    const retryAfter = response?.headers.get('retry-after');
    await response?.body?.cancel().catch(() => undefined);
    await sleep(backoffDelay(policy, attempt, retryAfter), signal);
  }
}
