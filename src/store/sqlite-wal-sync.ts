import fs from 'node:fs';
import path from 'node:path';

/**
 * Makes committed SQLite transactions durable by fsyncing the write-ahead log on libuv's thread pool, so the event
 * loop keeps serving requests while the disk flushes.
 *
 * With `synchronous = NORMAL` in WAL mode, SQLite writes each commit's frames to the -wal file but syncs it only
 * before a checkpoint; with FULL it also syncs it after every commit, on the calling (here: the only) thread. An
 * fsync of the -wal file after COMMIT, before anyone is told the transaction committed, gives the same guarantee as
 * FULL for every acknowledged transaction. Syncs are coalesced: commits made while a sync runs wait for the next one.
 * The -wal file stays the same file while this process holds the database open (SQLite deletes it only when the last
 * connection closes), so one descriptor serves for the store's whole life.
 */
export class WalSync {
  #handle: fs.promises.FileHandle | null = null;
  #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #running = false;
  #whenIdle: (() => void)[] = [];

  constructor(private readonly databaseFile: string) {}

  /** Resolves once everything committed before this call is on disk. */
  afterCommit(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (!this.#running) void this.#run();
    });
  }

  /** An fsync is under way (or about to start). */
  get syncing(): boolean {
    return this.#running;
  }

  /** Runs `callback` once no fsync is under way any more. */
  whenIdle(callback: () => void): void {
    if (!this.#running) callback();
    else this.#whenIdle.push(callback);
  }

  async close(): Promise<void> {
    while (this.#running) await new Promise((resolve) => setImmediate(resolve));
    await this.#handle?.close();
    this.#handle = null;
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#waiting.length > 0) {
      const covered = this.#waiting;
      this.#waiting = [];
      try {
        await this.#sync();
        for (const waiter of covered) waiter.resolve();
      } catch (error) {
        for (const waiter of covered) waiter.reject(error);
      }
    }
    this.#running = false;
    const idle = this.#whenIdle;
    this.#whenIdle = [];
    for (const callback of idle) callback();
  }

  async #sync(): Promise<void> {
    if (!this.#handle) {
      this.#handle = await fs.promises.open(`${this.databaseFile}-wal`, 'r');
      // The -wal file was just created: make its directory entry durable too.
      const directory = await fs.promises.open(path.dirname(this.databaseFile), 'r');
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    }
    await this.#handle.sync();
  }
}
