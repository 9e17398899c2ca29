import type { Store } from '../store/store.js';

/** Time between writes of one agent's last-seen time; requests in between change nothing. */
const SEEN_WRITE_INTERVAL_MS = 5_000;
/** How long sightings gather before they are written together. */
const BATCH_DELAY_MS = 200;
/** At most this many agents' throttle entries are kept; past it the oldest are forgotten (they then write again). */
const MAX_TRACKED = 200_000;

/**
 * Agents' `last_seen_at`, written at most once per agent per SEEN_WRITE_INTERVAL_MS and in batches: the agents
 * heard from within BATCH_DELAY_MS share one transaction (one commit), instead of one write each. A fleet of
 * thousands of agents renewing their long polls would otherwise cost a commit per request.
 */
export class LastSeenWriter {
  readonly #lastWritten = new Map<string, number>();
  #pending = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  /** Notes that the agent was heard from now; written within BATCH_DELAY_MS unless it was written recently. */
  heard(agentId: string, nowMs = Date.now()): void {
    if ((this.#lastWritten.get(agentId) ?? 0) + SEEN_WRITE_INTERVAL_MS > nowMs) return;
    if (this.#lastWritten.size >= MAX_TRACKED) this.#lastWritten.delete(this.#lastWritten.keys().next().value!);
    this.#lastWritten.delete(agentId);
    this.#lastWritten.set(agentId, nowMs);
    this.#pending.set(agentId, new Date(nowMs).toISOString());
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), BATCH_DELAY_MS);
      this.#timer.unref();
    }
  }

  /** Writes what is pending now. A failed batch is forgotten, and its agents are written again when next heard. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.size === 0) return;
    this.#pending = new Map();
    try {
      await this.store.transaction(async (tx) => {
        for (const [agentId, at] of batch) await tx.db.updateTable('agents').set({ last_seen_at: at }).where('id', '=', agentId).execute();
      });
    } catch {
      for (const agentId of batch.keys()) this.#lastWritten.delete(agentId);
    }
  }
}
