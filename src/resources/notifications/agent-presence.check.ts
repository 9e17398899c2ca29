import type { AppContext } from '../../server/context.js';
import { toWireTime } from '../../server/time.js';
import type { Tx } from '../../store/store.js';
import { DEFAULT_AGENT_OFFLINE_SECONDS } from '../settings/alert-settings.js';
import { enqueueEvent } from './outbox.js';

/**
 * Announces agents that went away and came back, once each however many nodes run the check:
 * - an enabled agent not heard from for its project's `agent_offline_seconds` (default 24 h) gets an open
 *   `agent_absences` row and an `agent.offline` message; the partial unique index (one open row per agent) lets one
 *   node's insert win;
 * - an agent with an open row that was heard from since gets its row closed and an `agent.online` message; the
 *   conditional update lets one node close it.
 * E-mails go to the on_failure addresses of the agent's configurations; webhooks subscribed to the event get a POST.
 * An agent never heard from at all is not announced. Returns how many messages were decided.
 */
export async function checkAgentPresence(ctx: AppContext, now = new Date()): Promise<{ offline: number; online: number }> {
  const db = ctx.store.db;
  const away = await db
    .selectFrom('agents as a')
    .leftJoin('alert_settings as s', 's.project_id', 'a.project_id')
    .select(['a.id', 'a.last_seen_at', 's.agent_offline_seconds'])
    .where('a.enabled', '=', 1)
    .where('a.last_seen_at', 'is not', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('agent_absences as x').select('x.seq').whereRef('x.agent_id', '=', 'a.id').where('x.back_at', 'is', null))))
    .execute();
  let offline = 0;
  for (const agent of away) {
    const threshold = Number(agent.agent_offline_seconds ?? DEFAULT_AGENT_OFFLINE_SECONDS);
    if (now.getTime() - Date.parse(agent.last_seen_at!) <= threshold * 1000) continue;
    if (await ctx.store.transaction((tx) => announceOffline(tx, agent.id, agent.last_seen_at!, threshold, now))) offline++;
  }

  const back = await db
    .selectFrom('agent_absences as x')
    .innerJoin('agents as a', 'a.id', 'x.agent_id')
    .select(['x.seq', 'x.agent_id'])
    .where('x.back_at', 'is', null)
    .whereRef('a.last_seen_at', '>', 'x.last_seen_at')
    .execute();
  let online = 0;
  for (const absence of back) if (await ctx.store.transaction((tx) => announceBack(tx, absence.seq, now))) online++;
  return { offline, online };
}

async function announceOffline(tx: Tx, agentId: string, lastSeenAt: string, thresholdSeconds: number, now: Date): Promise<boolean> {
  const agent = await tx.db.selectFrom('agents').select(['id', 'name', 'project_id', 'last_seen_at']).where('id', '=', agentId).executeTakeFirst();
  // Heard from since the list was read: not away after all.
  if (!agent || agent.last_seen_at !== lastSeenAt) return false;
  const inserted = await tx.db
    .insertInto('agent_absences')
    .values({ agent_id: agent.id, project_id: agent.project_id, last_seen_at: lastSeenAt, announced_at: toWireTime(now), back_at: null })
    .onConflict((oc) => oc.column('agent_id').where('back_at', 'is', null).doNothing())
    .returning('seq')
    .executeTakeFirst();
  if (!inserted) return false;
  const payload = { type: 'agent.offline', project_id: agent.project_id, agent: { id: agent.id, name: agent.name, last_seen_at: lastSeenAt }, threshold_seconds: thresholdSeconds };
  await enqueueEvent(tx, { projectId: agent.project_id, eventType: 'agent.offline', subjectId: agent.id, payload }, await failureAddresses(tx, agent.id));
  return true;
}

async function announceBack(tx: Tx, absenceSeq: number, now: Date): Promise<boolean> {
  const closed = await tx.db
    .updateTable('agent_absences')
    .set({ back_at: toWireTime(now) })
    .where('seq', '=', absenceSeq)
    .where('back_at', 'is', null)
    .returning(['agent_id', 'project_id', 'last_seen_at', 'announced_at'])
    .executeTakeFirst();
  if (!closed) return false;
  const agent = await tx.db.selectFrom('agents').select(['id', 'name', 'last_seen_at']).where('id', '=', closed.agent_id).executeTakeFirstOrThrow();
  const payload = {
    type: 'agent.online',
    project_id: closed.project_id,
    agent: { id: agent.id, name: agent.name, last_seen_at: agent.last_seen_at },
    offline_since: closed.last_seen_at,
    offline_announced_at: closed.announced_at,
  };
  await enqueueEvent(tx, { projectId: closed.project_id, eventType: 'agent.online', subjectId: agent.id, payload }, await failureAddresses(tx, agent.id));
  return true;
}

/** Who hears about an agent: the on_failure e-mail addresses of its configurations. */
async function failureAddresses(tx: Tx, agentId: string): Promise<string[]> {
  const rows = await tx.db.selectFrom('configurations').select('notifications').where('agent_id', '=', agentId).where('deleted', '=', 0).execute();
  return rows.flatMap((row) =>
    (JSON.parse(row.notifications) as { type: string; destination: string; on_failure?: boolean }[]).filter((n) => n.type === 'email' && n.on_failure).map((n) => n.destination),
  );
}
