import type { EventWrite } from '../../store/compare-and-set.js';
import { MISSED_NOTIFICATIONS, type Store, type Tx } from '../../store/store.js';
import { isoNow } from '../../server/time.js';
import { PrecompiledQuery } from '../../store/precompiled-query.js';
import { EventWaiters, type EventWaiter } from './event-waiters.js';

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

/** Every event-writing transaction runs it: built once per dialect. */
const INSERT_EVENT = new PrecompiledQuery(8, (db, $) =>
  db
    .insertInto('events')
    .values({ project_id: $(0), agent_id: $(1), configuration_id: $(2), subject_id: $(3), name: $(4), time: $(5), body: $(6), hidden: $(7) })
    .returning('id'),
);
/** What a wait armed on a closed hub gets: already over, and never registered. */
const WOKEN: EventWaiter = { woken: Promise.resolve('event') };

/** Notification payload: the project, and the agent when the event has one (`<project>\t<agent>`). */
function payloadOf(projectId: string, agentId: string | null | undefined): string {
  return agentId ? `${projectId}\t${agentId}` : projectId;
}

/**
 * Writes events inside the caller's transaction and wakes long polls once they commit, on this node and, through
 * the store's notifications, on every other node sharing the database.
 */
export class EventHub {
  /** By project and agent, so an event wakes only the long polls it may concern. */
  private readonly waiters = new EventWaiters();
  private readonly unlisten: () => void;
  private closed = false;

  constructor(private readonly store: Store) {
    this.unlisten = store.listen((channel, payload) => {
      if (channel === MISSED_NOTIFICATIONS) return this.waiters.wakeAll();
      if (channel !== CHANNEL) return;
      const cut = payload.indexOf('\t');
      this.waiters.wakeFor(cut < 0 ? payload : payload.slice(0, cut), cut < 0 ? undefined : payload.slice(cut + 1));
    });
  }

  async record(tx: Tx, input: EventInput): Promise<RecordedEvent> {
    const write = this.prepare(input);
    const v = write.values;
    const row = (await INSERT_EVENT.first(tx.db, v.project_id, v.agent_id ?? null, v.configuration_id ?? null, v.subject_id ?? null, v.name, v.time, v.body, v.hidden ?? 0))!;
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
   * Starts waiting for an event of the project (with `agentId`: an event of that agent or a project-wide one); the
   * waiter's `woken` resolves when one commits, at `deadline` (ms since the epoch), when it is cancelled, or at once
   * when the hub is closed. Registered synchronously, so a caller may arm it before it queries.
   */
  arm(projectId: string, agentId: string | undefined, deadline: number): EventWaiter {
    if (this.closed) return WOKEN;
    return this.waiters.arm(projectId, agentId, deadline);
  }

  /** Ends a wait (resolving its `woken`); nothing happens to a waiter already woken. */
  cancel(waiter: EventWaiter): void {
    this.waiters.wake(waiter, 'cancelled');
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
    this.waiters.close();
  }
}
