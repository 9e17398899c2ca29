import { effectiveMode, isOnline } from '../agents/agent-activity.js';
import { epochSeconds, type DatabaseGaugeFamily, type FamilyReadContext } from './database-gauges.js';

const LABELS = ['project_id', 'agent_id', 'agent_name'] as const;
const PAGE = 2_000;

interface AgentPresence {
  labels: Record<(typeof LABELS)[number], string>;
  online: boolean;
  lastSeen: number | null;
}

/** Every agent, online by the same rule as its `status.online` in the API (heard from within its heartbeat timeout). */
function agentPresence(context: FamilyReadContext): Promise<AgentPresence[]> {
  return context.shared('agent-presence', async () => {
    const idleMs = context.config.idleHeartbeatSeconds * 1000;
    const presence: AgentPresence[] = [];
    // A page at a time: a fleet's agents in one statement would hold the event loop for the whole read.
    for (let after = -1; ;) {
      const rows = await context.db
        .selectFrom('agents')
        .select(['seq', 'id', 'name', 'project_id', 'last_seen_at', 'activation_mode', 'activation_until'])
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(PAGE)
        .execute();
      for (const row of rows) {
        presence.push({
          labels: { project_id: row.project_id, agent_id: row.id, agent_name: row.name },
          online: isOnline(row.last_seen_at, effectiveMode(row.activation_mode, row.activation_until, context.now), context.now, idleMs),
          lastSeen: epochSeconds(row.last_seen_at),
        });
      }
      if (rows.length < PAGE) return presence;
      after = Number(rows[rows.length - 1]!.seq);
    }
  });
}

export const AGENT_PRESENCE_FAMILIES: DatabaseGaugeFamily[] = [
  {
    name: 'coffer_agent_online',
    help: '1 while the agent was heard from within its heartbeat timeout, else 0',
    labelNames: LABELS,
    async read(context) {
      return (await agentPresence(context)).map((a) => ({ labels: a.labels, value: a.online ? 1 : 0 }));
    },
  },
  {
    name: 'coffer_agent_last_seen_timestamp_seconds',
    help: 'When the agent was last heard from (0: never)',
    labelNames: LABELS,
    async read(context) {
      return (await agentPresence(context)).map((a) => ({ labels: a.labels, value: a.lastSeen ?? 0 }));
    },
  },
];
