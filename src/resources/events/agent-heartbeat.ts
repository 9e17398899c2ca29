import type { AppContext } from '../../server/context.js';
import { effectiveMode, heartbeatIntervals } from '../agents/agent-activity.js';

/** Requests of one agent closer together than this are not even checked against the database. */
const CHECK_INTERVAL_MS = 1_000;

/**
 * Every authenticated agent request is a heartbeat (docs/reference/rackspace-cloud-backup-v2.md §4.5). At most once per heartbeat interval of the
 * agent's current mode, an `agent_heartbeat` event is appended to its stream, which is what clients watching for a
 * woken agent wait for. The compare-and-set on `last_heartbeat_event_at` keeps nodes sharing a database from
 * appending twice.
 */
export class HeartbeatRecorder {
  private readonly lastChecked = new Map<string, number>();

  constructor(private readonly ctx: AppContext) {}

  async heard(projectId: string, agentId: string): Promise<boolean> {
    const nowMs = Date.now();
    if ((this.lastChecked.get(agentId) ?? 0) + CHECK_INTERVAL_MS > nowMs) return false;
    if (this.lastChecked.size > 100_000) this.lastChecked.clear();
    this.lastChecked.set(agentId, nowMs);
    const now = new Date(nowMs);
    const { db } = this.ctx.store;
    // Most requests come between two heartbeats: one read, and no transaction, tells so. When one is due, the
    // compare-and-set below decides who appends it.
    const agent = await db
      .selectFrom('agents')
      .select(['activation_mode', 'activation_until', 'last_heartbeat_event_at'])
      .where('id', '=', agentId)
      .where('project_id', '=', projectId)
      .executeTakeFirst();
    if (!agent) return false;
    const interval = heartbeatIntervals(this.ctx.config.idleHeartbeatSeconds * 1000)[effectiveMode(agent.activation_mode, agent.activation_until, now)];
    const last = agent.last_heartbeat_event_at;
    if (last !== null && Date.parse(last) + interval > nowMs) return false;
    return this.ctx.store.transaction(async (tx) => {
      let claim = tx.db.updateTable('agents').set({ last_heartbeat_event_at: now.toISOString() }).where('id', '=', agentId);
      claim = last === null ? claim.where('last_heartbeat_event_at', 'is', null) : claim.where('last_heartbeat_event_at', '=', last);
      const claimed = await claim.executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return false;
      await this.ctx.events.record(tx, { projectId, agentId, name: 'agent_heartbeat', body: { agent: { id: agentId } } });
      return true;
    });
  }
}
