import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export type Engine = 'sqlite' | 'postgres';

/** What differs between engines, named once here instead of `if (sqlite)` elsewhere. */
export interface StoreCapabilities {
  engine: Engine;
  /** Several server processes may share this store (and must hear each other's notifications). */
  sharedAcrossNodes: boolean;
  /**
   * Why a reader paging a stream by marker never skips a row that commits late (src/store/commit-order.ts):
   * - 'single-writer' (SQLite): one connection writes, transactions commit in the order they took their ids.
   * - 'commit-horizon' (PostgreSQL): rows are ordered by their writing transaction, and readers return only rows
   *   below the oldest transaction still in progress.
   */
  commitOrder: 'single-writer' | 'commit-horizon';
  /** Several transactions share one durable commit (SQLite group commit). */
  groupCommit: boolean;
}

/** A transaction: the query builder bound to it, and work to run only once it has committed. */
export interface Tx {
  db: Kysely<Database>;
  afterCommit(callback: () => void): void;
  /** Like Store.notify, delivered only if and when this transaction commits. */
  notify(channel: string, payload: string): Promise<void>;
}

export type NotificationListener = (channel: string, payload: string) => void;

/**
 * Sent to listeners when notifications may have been missed (the listening connection was lost and is back):
 * whoever waits for one should look again.
 */
export const MISSED_NOTIFICATIONS = '*missed*';

export interface Store {
  readonly db: Kysely<Database>;
  readonly capabilities: StoreCapabilities;
  /**
   * PostgreSQL: a change that fits in one statement (compareAndSet) commits on its own, in one round trip, instead
   * of BEGIN … COMMIT; `notifyCommitted` then notifies like notify() for that committed statement (without waiting
   * for the notification to be sent). Absent on SQLite, whose transactions cost no round trips.
   */
  readonly oneStatement?: { notifyCommitted(channel: string, payload: string): void };
  /**
   * SQLite: a number that moves whenever rows of `tables` may have changed (a statement that may write one of them
   * ran on this store, a rollback, or a commit by another connection to the file). Rows read from those tables can
   * be kept in memory while it stays the same. Absent on PostgreSQL: other nodes write without this one knowing.
   */
  tablesVersion?(tables: readonly string[]): number;
  /** Runs `work` atomically; the callbacks it registers with afterCommit run after a successful commit. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Tells every node sharing this store (this one included) that something happened on `channel`. */
  notify(channel: string, payload: string): Promise<void>;
  /** Hears notifications of every node; returns an unsubscribe function. */
  listen(listener: NotificationListener): () => void;
  /** True when `error` means the database cannot be reached (answered 503, not 500). */
  isUnavailableError(error: unknown): boolean;
  close(): Promise<void>;
}
