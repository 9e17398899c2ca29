import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';

/** Tables a token's caller is read from: revoking a token, disabling or deleting a user (or an agent) writes them. */
const CALLER_TABLES = ['tokens', 'users'] as const;
/** Room for every token of a large fleet (each agent renews its long poll with its own), a few hundred bytes each. */
const MAX_ENTRIES = 50_000;

interface Entry {
  caller: Caller;
  expiresAt: string;
}

/**
 * Callers by token hash, kept in memory while the store says the token and user tables have not changed
 * (Store.tablesVersion: SQLite only). Any write to those tables, here or by another connection to the database,
 * empties the cache before the next request is authenticated, so a revoked token, or a deleted or disabled user's,
 * is refused at once; an expired one is refused by its expiry time. Without tablesVersion (PostgreSQL, where other
 * nodes write unseen) nothing is kept and every request reads its token.
 */
export class CallerCache {
  readonly #entries = new Map<string, Entry>();
  #version = -1;

  constructor(private readonly store: Store) {}

  /** The cached caller of a token, or undefined (not cached, or the tables changed since). `expired` when it has expired. */
  get(tokenHash: string, nowIso: string): Caller | 'expired' | undefined {
    if (!this.#current()) return undefined;
    const entry = this.#entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= nowIso) {
      this.#entries.delete(tokenHash);
      return 'expired';
    }
    return entry.caller;
  }

  /** The tables' version before a read, to hand to `set` after it. */
  version(): number | undefined {
    return this.store.tablesVersion?.(CALLER_TABLES);
  }

  /** Keeps what a read found, unless the tables changed between `versionBefore` and now (the row may be stale). */
  set(tokenHash: string, caller: Caller, expiresAt: string, versionBefore: number | undefined): void {
    if (versionBefore === undefined || !this.#current() || this.#version !== versionBefore) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    // Shared by every request with this token: nobody may change it.
    if (caller.kind === 'user') Object.freeze(caller.roles);
    this.#entries.set(tokenHash, { caller: Object.freeze(caller), expiresAt });
  }

  /** True when the tables are as when the entries were read; otherwise forgets every entry. */
  #current(): boolean {
    const version = this.version();
    if (version === undefined) return false;
    if (version !== this.#version) {
      this.#entries.clear();
      this.#version = version;
    }
    return true;
  }
}
