import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { invalidToken, unauthenticated } from '../errors/app-error.js';
import { hashToken } from '../resources/identity/tokens.js';
import { BatchedLookup } from '../store/batched-lookup.js';
import type { Store } from '../store/store.js';
import type { Caller } from './caller.js';
import { CallerCache } from './caller-cache.js';
import type { LastSeenWriter } from './last-seen-writer.js';

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

/** The token's row and its user's, by the token's hash (every authenticated request runs it). */
const TOKEN_ROW = new BatchedLookup('token_hash', 'tokens.token_hash', (db, keyMatches) =>
  db
    .selectFrom('tokens')
    .leftJoin('users', 'users.id', 'tokens.user_id')
    .select(['tokens.token_hash', 'tokens.user_id', 'tokens.agent_id', 'tokens.project_id', 'tokens.expires_at', 'users.username', 'users.roles', 'users.is_admin', 'users.disabled'])
    .where(keyMatches),
);

const ADMIN: Caller = Object.freeze({ kind: 'admin', userId: null, username: 'admin' });

/** Who a valid token's row names; 401 for a user that is gone or disabled. */
function callerOf(row: NonNullable<Awaited<ReturnType<typeof TOKEN_ROW.first>>>): Caller {
  if (row.agent_id && row.project_id) return { kind: 'agent', agentId: row.agent_id, projectId: row.project_id };
  if (!row.user_id || !row.username || row.disabled) throw invalidToken();
  if (row.is_admin) return { kind: 'admin', userId: row.user_id, username: row.username };
  return { kind: 'user', userId: row.user_id, username: row.username, projectId: row.project_id ?? '', roles: JSON.parse(row.roles ?? '[]') };
}

export class Authenticator {
  private readonly callers: CallerCache;
  /** Any authenticated agent request counts as a sign of life for the agent's `online` status. */
  private readonly lastSeen: LastSeenWriter;
  /** The admin token's bytes, encoded once (every request is compared with it). */
  private readonly adminSecret: Buffer | undefined;

  constructor(
    private readonly store: Store,
    adminToken: string | undefined,
    lastSeen: LastSeenWriter,
  ) {
    this.callers = new CallerCache(store);
    this.lastSeen = lastSeen;
    this.adminSecret = adminToken ? Buffer.from(adminToken) : undefined;
  }

  /**
   * Resolves the caller or throws 401 (missing token, or unknown, expired, revoked token, or a disabled user's).
   * A token revoked, or a user or agent deleted or disabled, on any node stops working on every node at the next
   * request: on PostgreSQL every request reads the token's row (one primary-key lookup); on SQLite the caller is
   * kept in memory only while the token and user tables have not changed (CallerCache).
   */
  async authenticate(request: FastifyRequest): Promise<Caller> {
    const token = tokenFrom(request);
    if (!token) throw unauthenticated();
    // The admin token needs no database, so health and readiness still answer while the database is down.
    if (this.adminSecret && this.isAdminToken(token, this.adminSecret)) return ADMIN;
    const tokenHash = hashToken(token);
    const caller = this.cached(tokenHash) ?? (await this.lookup(tokenHash));
    if (caller.kind === 'agent') this.lastSeen.heard(caller.agentId);
    return caller;
  }

  /** Constant time for tokens of the admin token's length; a token of another length is not it. */
  private isAdminToken(token: string, secret: Buffer): boolean {
    return Buffer.byteLength(token) === secret.length && timingSafeEqual(Buffer.from(token), secret);
  }

  /** The token's caller while the caller cache holds it; 401 when it has expired since. */
  private cached(tokenHash: string): Caller | undefined {
    const cached = this.callers.get(tokenHash, new Date().toISOString());
    if (cached === 'expired') throw invalidToken();
    return cached;
  }

  private async lookup(tokenHash: string): Promise<Caller> {
    const now = new Date().toISOString();
    const versionBefore = this.callers.version();
    const row = await TOKEN_ROW.first(this.store.db, tokenHash);
    if (!row || row.expires_at <= now) throw invalidToken();
    const caller = callerOf(row);
    this.callers.set(tokenHash, caller, row.expires_at, versionBefore);
    return caller;
  }
}
