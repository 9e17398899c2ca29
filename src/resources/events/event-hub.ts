import type { Store, Tx } from '../../store/store.js';
import { isoNow } from '../../server/time.js';

export interface EventInput {
  projectId: string;
  agentId?: string | null;
  configurationId?: string | null;
  /** The job, log file, request or task the event is about. */
  subjectId?: string | null;
  name: string;
  /** The event's own fields besides id, time and event, exactly as they appear on the wire. */
  body: Record<string, unknown>;
  /** A result document (browse result, vault report): stored with an event id and time, but never listed. */
  hidden?: boolean;
}

export interface RecordedEvent {
  id: string;
  time: string;
}

const CHANNEL = 'events';

/**
 * Writes events inside the caller's transaction and wakes long polls once they commit, on this node and, through
 * the store's notifications, on every other node sharing the database.
 */
export class EventHub {
  private readonly waiters = new Set<{ projectId: string; wake: () => void }>();
  private readonly unlisten: () => void;
  private closed = false;

  constructor(private readonly store: Store) {
    this.unlisten = store.listen((channel, payload) => {
      if (channel !== CHANNEL) return;
      for (const waiter of this.waiters) if (waiter.projectId === payload) waiter.wake();
    });
  }

  async record(tx: Tx, input: EventInput): Promise<RecordedEvent> {
    const time = isoNow();
    const row = await tx.db
      .insertInto('events')
      .values({
        project_id: input.projectId,
        agent_id: input.agentId ?? null,
        configuration_id: input.configurationId ?? null,
        subject_id: input.subjectId ?? null,
        name: input.name,
        time,
        body: JSON.stringify(input.body),
        hidden: input.hidden ? 1 : 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (!input.hidden) await tx.notify(CHANNEL, input.projectId);
    return { id: String(row.id), time };
  }

  /**
   * Resolves when an event of the project commits, or after `timeoutMs`, or when `signal` aborts, or at once when
   * the hub is closed. The waiter is registered synchronously, so a caller may start waiting before it queries.
   */
  waitForProjectEvent(projectId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { projectId, wake: () => finish() };
      const timer = setTimeout(() => finish(), timeoutMs);
      const onAbort = () => finish();
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
        resolve();
      };
      signal?.addEventListener('abort', onAbort);
      this.waiters.add(waiter);
    });
  }

  get waitingCount(): number {
    return this.waiters.size;
  }

  /** True once the server is stopping: long polls answer at once instead of waiting. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.unlisten();
    for (const waiter of [...this.waiters]) waiter.wake();
  }
}
