import type { RetryPolicy } from '../net/retry.js';

/** How long the agent rides out a server that is away, unless COFFER_AGENT_RETRY_SECONDS says otherwise. */
export const DEFAULT_OUTAGE_SECONDS = 600;

/**
 * Reports and vault transfers: retried through a server restart or a network cut of up to `seconds` (default
 * COFFER_AGENT_RETRY_SECONDS, else 10 minutes). Re-sending is safe: a vault file's name is its content's hash, and a
 * report carries absolute values, so a request that reached the server before the cut changes nothing the second time.
 */
export function outageRetry(seconds = outageSecondsFromEnv()): RetryPolicy {
  return { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 250, maxDelayMs: 10_000, withinMs: seconds * 1000 };
}

export function outageSecondsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.COFFER_AGENT_RETRY_SECONDS;
  if (text === undefined || text === '') return DEFAULT_OUTAGE_SECONDS;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`COFFER_AGENT_RETRY_SECONDS must be a non-negative number of seconds, got "${text}"`);
  return value;
}
