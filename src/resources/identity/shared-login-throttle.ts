import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { tooManyFailures, type LoginGate, type LoginLimits } from './login-throttle.js';

interface Window {
  failures: number;
  startedAt: number;
}

const PRUNE_INTERVAL_MS = 60_000;
const MAX_REMEMBERED = 100_000;

/**
 * The login throttle of several API nodes on one PostgreSQL database: failures are counted in `login_failures`, one
 * row per account or address key, by an atomic upsert, so attempts spread over the nodes add up as on one node. Each
 * key counts in a fixed window that starts with its first failure: at `limit` failures within it, logins for the key
 * answer 429 until the window ends. What the node last read or wrote is remembered for the check a queued login
 * repeats when it gets a hashing thread (which cannot wait for the database).
 */
export class SharedLoginThrottle implements LoginGate {
  private readonly known = new Map<string, Window>();
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly limits: LoginLimits,
  ) {}

  async assertAllowed(account: string, address: string): Promise<void> {
    const keys = this.keys(account, address).map(([key]) => key);
    const rows = await this.db.selectFrom('login_failures').select(['key', 'failures', 'window_started_at']).where('key', 'in', keys).execute();
    for (const key of keys) this.known.delete(key);
    for (const row of rows) this.remember(row.key, { failures: Number(row.failures), startedAt: Date.parse(row.window_started_at) });
    this.assertAllowedNow(account, address);
  }

  assertAllowedNow(account: string, address: string): void {
    const now = Date.now();
    for (const [key, limit] of this.keys(account, address)) {
      const window = this.known.get(key);
      const endsAt = window ? window.startedAt + this.limits.windowSeconds * 1000 : 0;
      if (window && endsAt > now && window.failures >= limit) throw tooManyFailures(key, (endsAt - now) / 1000);
    }
  }

  async failed(account: string, address: string): Promise<void> {
    const now = new Date();
    const expiredBefore = new Date(now.getTime() - this.limits.windowSeconds * 1000).toISOString();
    // Counted here at once, before the database answers: a login queued on this node re-checks without waiting.
    for (const [key] of this.keys(account, address)) this.remember(key, this.afterOneMore(this.known.get(key), now.getTime()));
    for (const [key] of this.keys(account, address)) {
      // A window that has ended starts again at this failure; otherwise the failure adds to it.
      const row = await this.db
        .insertInto('login_failures')
        .values({ key, failures: 1, window_started_at: now.toISOString() })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`CASE WHEN login_failures.window_started_at <= ${expiredBefore} THEN 1 ELSE login_failures.failures + 1 END`,
            window_started_at: sql<string>`CASE WHEN login_failures.window_started_at <= ${expiredBefore} THEN ${now.toISOString()} ELSE login_failures.window_started_at END`,
          }),
        )
        .returning(['failures', 'window_started_at'])
        .executeTakeFirstOrThrow();
      const shared = { failures: Number(row.failures), startedAt: Date.parse(row.window_started_at) };
      const local = this.known.get(key);
      // Answers of concurrent upserts may arrive out of order: within one window, keep the highest count.
      this.remember(key, local && local.startedAt === shared.startedAt && local.failures > shared.failures ? local : shared);
    }
    if (now.getTime() - this.lastPrune > PRUNE_INTERVAL_MS) {
      this.lastPrune = now.getTime();
      await this.db.deleteFrom('login_failures').where('window_started_at', '<=', expiredBefore).execute();
    }
  }

  /** A successful login forgets the account's failures (not the address's), on every node. */
  async succeeded(account: string): Promise<void> {
    const key = `account:${account}`;
    this.known.delete(key);
    await this.db.deleteFrom('login_failures').where('key', '=', key).execute();
  }

  private keys(account: string, address: string): [string, number][] {
    return [
      [`account:${account}`, this.limits.perAccount],
      [`address:${address}`, this.limits.perAddress],
    ];
  }

  private afterOneMore(window: Window | undefined, now: number): Window {
    if (window && window.startedAt + this.limits.windowSeconds * 1000 > now) return { failures: window.failures + 1, startedAt: window.startedAt };
    return { failures: 1, startedAt: now };
  }

  private remember(key: string, window: Window): void {
    if (this.known.size >= MAX_REMEMBERED) this.known.clear();
    this.known.set(key, window);
  }
}
