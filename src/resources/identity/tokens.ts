import { hash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { isoNow } from '../../server/time.js';

/** The SHA-256 of a token, in hex: what the tokens table keeps (one-shot `hash`, several times cheaper than createHash). */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export interface IssuedToken {
  id: string;
  expires: string;
}

/** Creates a random token bound to a user or an agent; only its hash is stored. */
export async function issueToken(db: Kysely<Database>, subject: { userId: string | null; agentId: string | null; projectId: string | null }, ttlSeconds: number): Promise<IssuedToken> {
  const id = randomBytes(32).toString('base64url');
  const now = new Date();
  const expires = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await db
    .insertInto('tokens')
    .values({
      token_hash: hashToken(id),
      user_id: subject.userId,
      agent_id: subject.agentId,
      project_id: subject.projectId,
      expires_at: expires,
      created_at: isoNow(),
    })
    .execute();
  return { id, expires };
}
