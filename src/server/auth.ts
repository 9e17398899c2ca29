import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { invalidToken, unauthenticated } from '../errors/app-error.js';
import { hashToken } from '../resources/identity/tokens.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';

/** The token from `X-Auth-Token` (v2 clients) or `Authorization: bearer` (v3 clients). */
export function tokenFrom(request: FastifyRequest): string | undefined {
  const header = request.headers['x-auth-token'];
  if (typeof header === 'string' && header.trim() !== '') return header.trim();
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1].trim();
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Time between writes of an agent's last-seen time; reads in between are served from memory. */
const SEEN_WRITE_INTERVAL_MS = 5_000;
/** A resolved token is trusted from memory this long, sparing a query on every request of a busy agent. */
const TOKEN_CACHE_MS = 2_000;
const TOKEN_CACHE_MAX = 10_000;

export class Authenticator {
  private readonly lastSeenWrites = new Map<string, number>();
  private readonly resolved = new Map<string, { caller: Caller; expiresAt: string; cachedAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly adminToken: string | undefined,
  ) {}

  /** Resolves the caller or throws 401 (missing token, or unknown or expired token). */
  async authenticate(request: FastifyRequest): Promise<Caller> {
    const token = tokenFrom(request);
    if (!token) throw unauthenticated();
    if (this.adminToken && sameSecret(token, this.adminToken)) return { kind: 'admin', userId: null, username: 'admin' };
    const tokenHash = hashToken(token);
    const cached = this.resolved.get(tokenHash);
    const now = Date.now();
    if (cached && cached.cachedAt + TOKEN_CACHE_MS > now && cached.expiresAt > new Date(now).toISOString()) {
      if (cached.caller.kind === 'agent') this.markSeen(cached.caller.agentId);
      return cached.caller;
    }
    const caller = await this.lookup(tokenHash);
    if (this.resolved.size >= TOKEN_CACHE_MAX) this.resolved.clear();
    this.resolved.set(tokenHash, { ...caller, cachedAt: now });
    if (caller.caller.kind === 'agent') this.markSeen(caller.caller.agentId);
    return caller.caller;
  }

  private async lookup(tokenHash: string): Promise<{ caller: Caller; expiresAt: string }> {
    const row = await this.store.db
      .selectFrom('tokens')
      .leftJoin('users', 'users.id', 'tokens.user_id')
      .select(['tokens.user_id', 'tokens.agent_id', 'tokens.project_id', 'tokens.expires_at', 'users.username', 'users.roles', 'users.is_admin'])
      .where('tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.expires_at <= new Date().toISOString()) throw invalidToken();
    const expiresAt = row.expires_at;
    if (row.agent_id && row.project_id) return { caller: { kind: 'agent', agentId: row.agent_id, projectId: row.project_id }, expiresAt };
    if (!row.user_id || !row.username) throw invalidToken();
    if (row.is_admin) return { caller: { kind: 'admin', userId: row.user_id, username: row.username }, expiresAt };
    return {
      caller: { kind: 'user', userId: row.user_id, username: row.username, projectId: row.project_id ?? '', roles: JSON.parse(row.roles ?? '[]') },
      expiresAt,
    };
  }

  /** Forgets cached tokens, e.g. after an agent or user was deleted. */
  forget(): void {
    this.resolved.clear();
  }

  /** Any authenticated agent request counts as a sign of life for the agent's `online` status. */
  private markSeen(agentId: string): void {
    const now = Date.now();
    if ((this.lastSeenWrites.get(agentId) ?? 0) + SEEN_WRITE_INTERVAL_MS > now) return;
    this.lastSeenWrites.set(agentId, now);
    this.store.db
      .updateTable('agents')
      .set({ last_seen_at: new Date(now).toISOString() })
      .where('id', '=', agentId)
      .execute()
      .catch(() => this.lastSeenWrites.delete(agentId));
  }
}
