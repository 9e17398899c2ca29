import type { Logger } from 'pino';
import type { AgentApi } from './agent-api.js';
import { ApiError } from '../net/api-error.js';
import type { AgentState } from './agent-state.js';
import { sleep } from '../net/retry.js';
import { isTransientFailure } from '../net/transient-failure.js';

export interface AgentEvent {
  id: string;
  time: string;
  event: string;
  [field: string]: unknown;
}

/** Retry "forever" while the server is away; the poller itself is the outer loop. */
const POLL_RETRY = { attempts: 3, baseDelayMs: 500, maxDelayMs: 5_000 };
/** A long poll that has not answered by then is presumed lost (a server that vanished without closing it). */
const POLL_TIMEOUT_MS = 150_000;
/** An event whose handling keeps failing on server or network errors is given up after this many tries. */
const MAX_EVENT_ATTEMPTS = 5;
/** When a server answers at once with nothing (no long poll), wait this long before asking again. */
const PLAIN_POLL_INTERVAL_MS = 1_000;

/**
 * Reads the agent's event stream (`GET …/agents/{id}/events?marker=…&sort_dir=asc`), which the server holds open
 * until something happens. Each event is handed over in order and the marker saved after it, so a restart goes
 * on from the last event handled.
 */
export async function pollEvents(api: AgentApi, state: AgentState, log: Logger, signal: AbortSignal, handle: (event: AgentEvent) => Promise<void>): Promise<void> {
  let failures = 0;
  const attempts = new Map<string, number>();
  while (!signal.aborted) {
    const query = new URLSearchParams({ sort_dir: 'asc', limit: '100' });
    if (state.marker) query.set('marker', state.marker);
    const asked = Date.now();
    try {
      const pollSignal = AbortSignal.any([signal, AbortSignal.timeout(POLL_TIMEOUT_MS)]);
      const answer = await api.get<{ events: AgentEvent[] }>(`${api.agentUrl('events')}?${query}`, { retry: POLL_RETRY, signal: pollSignal });
      failures = 0;
      const events = answer.body?.events ?? [];
      let interrupted = false;
      for (const event of events) {
        try {
          await handle(event);
        } catch (err) {
          const tries = (attempts.get(event.id) ?? 0) + 1;
          attempts.set(event.id, tries);
          if (isRetryable(err) && tries < MAX_EVENT_ATTEMPTS) {
            // The server could not be reached while taking the work: read this event again rather than lose it.
            log.warn({ event: event.event, id: event.id, tries, err: (err as Error).message }, 'event handling interrupted; will retry');
            interrupted = true;
            break;
          }
          log.error({ event: event.event, id: event.id, err: (err as Error).message }, 'event handling failed');
        }
        attempts.delete(event.id);
        await state.setMarker(event.id);
      }
      if (interrupted) {
        await sleep(2_000, signal).catch(() => undefined);
        continue;
      }
      if (events.length === 0 && Date.now() - asked < 200) await sleep(PLAIN_POLL_INTERVAL_MS, signal);
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof ApiError && err.status === 400 && state.marker && /marker/i.test(err.serverMessage)) {
        // The events after our marker were pruned: start again from what the server still has.
        log.warn({ marker: state.marker }, 'event marker unknown to the server; reading from the oldest event kept');
        await state.resetMarker();
        continue;
      }
      failures++;
      log.warn({ err: (err as Error).message, failures }, 'event poll failed; retrying');
      await sleep(Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5)), signal).catch(() => undefined);
    }
  }
}

function isRetryable(err: unknown): boolean {
  return isTransientFailure(err) || err instanceof TypeError || (err as { name?: string })?.name === 'AbortError';
}
