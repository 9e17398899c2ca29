import type { EventWrite } from '../../store/compare-and-set.js';
import { MISSED_NOTIFICATIONS, type Store, type Tx } from '../../store/store.js';
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

interface Waiter {
  /** Only events of this agent, or of no agent (project-wide), wake it; undefined = every event of the project. */
  agentId: string | undefined;
  wake: () => void;
}

/** Notification payload: the project, and the agent when the event has one (`<project>\t<agent>`). */
function payloadOf(projectId: string, agentId: string | null | undefined): string {
  return agentId ? `${projectId}\t${agentId}` : projectId;
}

/**
 * Writes events inside the caller's transaction and wakes long polls once they commit, on this node and, through
 * the store's notifications, on every other node sharing the database.
 */
export class EventHub {
  /** Waiters by project, so an event wakes only the long polls it may concern. */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private waiting = 0;
  private readonly unlisten: () => void;
  private closed = false;

  constructor(private readonly store: Store) {
    this.unlisten = store.listen((channel, payload) => {
      if (channel === MISSED_NOTIFICATIONS) return this.wakeAll();
      if (channel !== CHANNEL) return;
      const cut = payload.indexOf('\t');
      const projectId = cut < 0 ? payload : payload.slice(0, cut);
      const agentId = cut < 0 ? undefined : payload.slice(cut + 1);
      for (const waiter of [...(this.waiters.get(projectId) ?? [])]) {
        if (waiter.agentId === undefined || agentId === undefined || waiter.agentId === agentId) waiter.wake();
      }
    });
  }

  async record(tx: Tx, input: EventInput): Promise<RecordedEvent> {
    const write = this.prepare(input);
    const row = await tx.db.insertInto('events').values(write.values).returning('id').executeTakeFirstOrThrow();
    if (write.notify) await tx.notify(write.notify.channel, write.notify.payload);
    return { id: String(row.id), time: write.values.time };
  }

  /** The row and the notification of an event, for a writer that inserts it itself (compareAndSet). */
  prepare(input: EventInput): EventWrite {
    return {
      values: {
        project_id: input.projectId,
        agent_id: input.agentId ?? null,
        configuration_id: input.configurationId ?? null,
        subject_id: input.subjectId ?? null,
        name: input.name,
        time: isoNow(),
        body: JSON.stringify(input.body),
        hidden: input.hidden ? 1 : 0,
      },
      notify: input.hidden ? undefined : { channel: CHANNEL, payload: payloadOf(input.projectId, input.agentId) },
    };
  }

  /**
   * Resolves when an event of the project commits (with `agentId`: an event of that agent or a project-wide one),
   * or after `timeoutMs`, or when `signal` aborts, or at once when the hub is closed. The waiter is registered
   * synchronously, so a caller may start waiting before it queries.
   */
  waitForProjectEvent(projectId: string, timeoutMs: number, signal?: AbortSignal, agentId?: string): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      let done = false;
      const waiter: Waiter = { agentId, wake: () => finish() };
      const timer = setTimeout(() => finish(), timeoutMs);
      const onAbort = () => finish();
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const set = this.waiters.get(projectId);
        set?.delete(waiter);
        if (set?.size === 0) this.waiters.delete(projectId);
        this.waiting--;
        resolve();
      };
      signal?.addEventListener('abort', onAbort);
      let set = this.waiters.get(projectId);
      if (!set) this.waiters.set(projectId, (set = new Set()));
      set.add(waiter);
      this.waiting++;
    });
  }

  get waitingCount(): number {
    return this.waiting;
  }

  /** True once the server is stopping: long polls answer at once instead of waiting. */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.unlisten();
    this.wakeAll();
  }

  /** Every long poll looks again (after missed notifications, or to answer before the server stops). */
  private wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const waiter of [...set]) waiter.wake();
  }
}
