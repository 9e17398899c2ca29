import type { Kysely } from 'kysely';
import type { Database } from './database.js';

export type Engine = 'sqlite' | 'postgres';

/** What differs between engines, named once here instead of `if (sqlite)` elsewhere. */
export interface StoreCapabilities {
  engine: Engine;
  /** Several server processes may share this store (and must hear each other's notifications). */
  sharedAcrossNodes: boolean;
  /**
   * Why rows of a table with an id sequence (events) become visible in id order, so that a reader paging by
   * "id > marker" never skips a row that commits later with a lower id:
   * - 'single-writer' (SQLite): one connection writes, transactions commit one after another in the order they
   *   took their ids.
   * - 'insert-lock' (PostgreSQL): sequence values are handed out before commit, so two transactions can commit out
   *   of id order. A statement trigger takes a transaction-level advisory lock before any insert into such a table
   *   (see SchemaHelpers.commitInIdOrder), so the next writer takes its id only after the previous one committed.
   *   It serialises only the tail of event-writing transactions (from the event insert to COMMIT).
   */
  commitOrder: 'single-writer' | 'insert-lock';
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
