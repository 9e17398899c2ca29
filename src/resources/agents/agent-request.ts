import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { conflict, forbidden, notFound } from '../../errors/app-error.js';
import { isAgentItself, type Caller } from '../../server/caller.js';
import type { AppContext } from '../../server/context.js';
import type { AgentRequestsTable, Database } from '../../store/database.js';
import type { Tx } from '../../store/store.js';
import { presentEvent } from '../events/event.presenter.js';

/**
 * Browse, vault-encryption and vault-password-verification requests: the user's POST records a request and the
 * event that hands it to the agent; the agent answers on the request's URL; the answer is kept as a result
 * document (an unlisted event, so it has an event id and time) that the user then reads.
 */
export type AgentRequestKind = 'host_browse' | 'backup_browse' | 'vault_encryption' | 'vault_password_verification';

export type AgentRequest = Selectable<AgentRequestsTable>;

const NOT_FOUND: Record<AgentRequestKind, string> = {
  host_browse: 'Browse request not found.',
  backup_browse: 'Browse request not found.',
  vault_encryption: 'Vault encryption request not found.',
  vault_password_verification: 'Vault password verification request not found.',
};

export async function insertAgentRequest(
  tx: Tx,
  request: { projectId: string; agentId: string; kind: AgentRequestKind; subjectId?: string | null; details: Record<string, unknown> },
): Promise<string> {
  const id = randomUUID();
  await tx.db
    .insertInto('agent_requests')
    .values({
      id,
      project_id: request.projectId,
      agent_id: request.agentId,
      kind: request.kind,
      subject_id: request.subjectId ?? null,
      details: JSON.stringify(request.details),
      reported_at: null,
      created_at: new Date().toISOString(),
    })
    .execute();
  return id;
}

/** The request of one of `kinds` in the project, optionally of one agent or about one subject; else 404. */
export async function fetchAgentRequest(
  db: Kysely<Database>,
  projectId: string,
  kinds: readonly [AgentRequestKind, ...AgentRequestKind[]],
  id: string,
  where: { agentId?: string; subjectId?: string } = {},
): Promise<AgentRequest> {
  const row = await db.selectFrom('agent_requests').selectAll().where('id', '=', id).executeTakeFirst();
  const matches =
    row &&
    row.project_id === projectId &&
    kinds.includes(row.kind as AgentRequestKind) &&
    (where.agentId === undefined || row.agent_id === where.agentId) &&
    (where.subjectId === undefined || row.subject_id === where.subjectId);
  if (!matches) throw notFound(NOT_FOUND[kinds[0]]);
  return row;
}

/** Only the request's agent answers it, with its own token. */
export function assertAgentAnswers(caller: Caller, agentId: string): void {
  if (isAgentItself(caller, agentId)) return;
  throw forbidden('Only the agent the request was sent to, with its own token, may report its result.');
}

/** Stores the agent's answer once; a second answer is a conflict. */
export async function recordAgentRequestResult(ctx: AppContext, request: AgentRequest, name: string, body: Record<string, unknown>, extra?: (tx: Tx) => Promise<void>): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const claimed = await tx.db.updateTable('agent_requests').set({ reported_at: new Date().toISOString() }).where('id', '=', request.id).where('reported_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw conflict('The result of this request was already reported.');
    await ctx.events.record(tx, { projectId: request.project_id, agentId: request.agent_id, subjectId: request.id, name, body, hidden: true });
    await extra?.(tx);
  });
}

/** The result document, or 404 while the agent has not answered (or after the result was pruned). */
export async function fetchAgentRequestResult(db: Kysely<Database>, request: AgentRequest, names: string[], notFoundMessage: string): Promise<Record<string, unknown>> {
  const row = await db
    .selectFrom('events')
    .select(['id', 'name', 'time', 'body'])
    .where('subject_id', '=', request.id)
    .where('hidden', '=', 1)
    .where('name', 'in', names)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw notFound(notFoundMessage);
  return presentEvent(row);
}
