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
    const token = /^bearer\s+(.+)$/i.exec(authorization.trim())?.[1];
    if (token !== undefined) return token.trim();
  }
  return undefined;
}

/** Compares two secrets in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Time between writes of an agent's last-seen time; reads in between are served from memory. */
const SEEN_WRITE_INTERVAL_MS = 5_000;

export class Authenticator {
  private readonly lastSeenWrites = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly adminToken: string | undefined,
  ) {}

  /**
   * Resolves the caller or throws 401 (missing token, or unknown, expired, revoked token, or a disabled user's).
   * Every request reads the token's row (one primary-key lookup): nothing is cached, so a token revoked, or a user or
   * agent deleted or disabled, on any node stops working on every node at the next request.
   */
  async authenticate(request: FastifyRequest): Promise<Caller> {
    const token = tokenFrom(request);
    if (!token) throw unauthenticated();
    if (this.adminToken && sameSecret(token, this.adminToken)) return { kind: 'admin', userId: null, username: 'admin' };
    const caller = await this.lookup(hashToken(token));
    if (caller.kind === 'agent') this.markSeen(caller.agentId);
    return caller;
  }

  private async lookup(tokenHash: string): Promise<Caller> {
    const row = await this.store.db
      .selectFrom('tokens')
      .leftJoin('users', 'users.id', 'tokens.user_id')
      .select(['tokens.user_id', 'tokens.agent_id', 'tokens.project_id', 'tokens.expires_at', 'users.username', 'users.roles', 'users.is_admin', 'users.disabled'])
      .where('tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.expires_at <= new Date().toISOString()) throw invalidToken();
    if (row.agent_id && row.project_id) return { kind: 'agent', agentId: row.agent_id, projectId: row.project_id };
    if (!row.user_id || !row.username || row.disabled) throw invalidToken();
    if (row.is_admin) return { kind: 'admin', userId: row.user_id, username: row.username };
    return { kind: 'user', userId: row.user_id, username: row.username, projectId: row.project_id ?? '', roles: JSON.parse(row.roles ?? '[]') };
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
