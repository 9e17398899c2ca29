import { tooManyRequests } from '../../errors/app-error.js';

export interface LoginLimits {
  /** Failed logins of one user or agent within the window before it is refused for a while. */
  perAccount: number;
  /** Failed logins from one client address within the window. */
  perAddress: number;
  windowSeconds: number;
}

const MAX_KEYS = 100_000;

/**
 * The login throttle as the login actions use it. `assertAllowed` is the check before a login is taken on;
 * `assertAllowedNow` repeats it from what this node already knows, synchronously, when a queued login gets a hashing
 * thread.
 */
export interface LoginGate {
  assertAllowed(account: string, address: string): Promise<void> | void;
  assertAllowedNow(account: string, address: string): void;
  failed(account: string, address: string): Promise<void> | void;
  succeeded(account: string): Promise<void> | void;
}

export function tooManyFailures(key: string, retryAfterSeconds: number) {
  const who = key.startsWith('account:') ? 'this account' : 'this address';
  return tooManyRequests(`Too many failed logins for ${who}; try again in ${Math.ceil(retryAfterSeconds)} s.`, retryAfterSeconds);
}

/**
 * Failed logins (users' and agents') counted per account and per client address, in memory on each node. Once a key
 * has `limit` failures within the window, logins for it answer 429 with Retry-After until the oldest failure ages
 * out. Only failures count, so a fleet of agents logging in at once behind one address is never refused.
 */
export class LoginThrottle implements LoginGate {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limits: LoginLimits) {}

  /** Throws 429 when the account or the address has too many recent failures. */
  assertAllowed(account: string, address: string): void {
    const now = Date.now();
    for (const [key, limit] of [
      [`account:${account}`, this.limits.perAccount],
      [`address:${address}`, this.limits.perAddress],
    ] as const) {
      const recent = this.recent(key, now);
      if (recent.length >= limit) {
        // The failure that has to leave the window before another try is let through (none with a limit of 0).
        const blocking = recent[recent.length - limit] ?? now;
        throw tooManyFailures(key, (blocking + this.limits.windowSeconds * 1000 - now) / 1000);
      }
    }
  }

  assertAllowedNow(account: string, address: string): void {
    this.assertAllowed(account, address);
  }

  failed(account: string, address: string): void {
    const now = Date.now();
    if (this.failures.size >= MAX_KEYS) this.prune(now);
    for (const [key, limit] of [
      [`account:${account}`, this.limits.perAccount],
      [`address:${address}`, this.limits.perAddress],
    ] as const) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.set(key, recent.slice(-Math.max(1, limit)));
    }
  }

  /** A successful login forgets the account's failures (not the address's). */
  succeeded(account: string): void {
    this.failures.delete(`account:${account}`);
  }

  private recent(key: string, now: number): number[] {
    const since = now - this.limits.windowSeconds * 1000;
    return (this.failures.get(key) ?? []).filter((time) => time > since);
  }

  private prune(now: number): void {
    for (const key of this.failures.keys()) if (this.recent(key, now).length === 0) this.failures.delete(key);
    if (this.failures.size >= MAX_KEYS) this.failures.clear();
  }
}
