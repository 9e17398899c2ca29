// Thousands of agents for the fleet benchmark, faster than the API can make them. Registering an agent and logging
// it in costs two scrypt hashes (about 0.1 s each on this class of machine), so 20,000 agents through the API would
// take over half an hour of both cores. Instead a few agents are registered and logged in through the real API,
// and the rest are copies of the first one's rows written into the same (stopped) server's database with the
// project's own store code: an agents row with its own id, fingerprint and vault id, a token row holding the SHA-256
// of a fresh random token (as tokens.ts issues them) and the agent_registered event registration writes.
// Each agent then authenticates, polls and is woken exactly like an API-registered one.
import { randomBytes, randomUUID } from 'node:crypto';
import { EventHub } from '../../src/resources/events/event-hub.js';
import { hashToken } from '../../src/resources/identity/tokens.js';
import { openStore } from '../../src/store/open-store.js';

const ROWS_PER_TRANSACTION = 500;

export interface SeededAgent {
  id: string;
  token: string;
}

/** Adds `count` copies of agent `modelId` (and one token each) to the SQLite database in `dataDir`. */
export async function seedAgentCopies(dataDir: string, modelId: string, count: number): Promise<SeededAgent[]> {
  const store = await openStore({ dataDir, databaseUrl: undefined, groupCommit: true });
  const hub = new EventHub(store);
  try {
    const model = await store.db.selectFrom('agents').selectAll().where('id', '=', modelId).executeTakeFirstOrThrow();
    const modelToken = await store.db.selectFrom('tokens').selectAll().where('agent_id', '=', modelId).executeTakeFirstOrThrow();
    const host = JSON.parse(model.host);
    const seeded: SeededAgent[] = [];
    for (let start = 0; start < count; start += ROWS_PER_TRANSACTION) {
      const batch = Array.from({ length: Math.min(ROWS_PER_TRANSACTION, count - start) }, () => ({
        id: randomUUID(),
        token: randomBytes(32).toString('base64url'),
        fingerprint: `fp-${randomBytes(8).toString('hex')}`,
      }));
      await store.transaction(async (tx) => {
        const { seq: _, ...columns } = model;
        await tx.db
          .insertInto('agents')
          .values(
            batch.map((agent) => ({
              ...columns,
              id: agent.id,
              fingerprint: agent.fingerprint,
              vault_id: randomUUID(),
              host: JSON.stringify({ ...host, fingerprint: agent.fingerprint, machine: { id: agent.fingerprint } }),
              last_seen_at: null,
              last_heartbeat_event_at: null,
            })),
          )
          .execute();
        await tx.db
          .insertInto('tokens')
          .values(batch.map((agent) => ({ ...modelToken, token_hash: hashToken(agent.token), agent_id: agent.id })))
          .execute();
        for (const agent of batch) {
          await hub.record(tx, {
            projectId: model.project_id,
            agentId: agent.id,
            subjectId: agent.id,
            name: 'agent_registered',
            body: { agent: { id: agent.id, name: model.name, host: { os: host.os } }, request_id: randomUUID() },
          });
        }
      });
      seeded.push(...batch.map(({ id, token }) => ({ id, token })));
    }
    return seeded;
  } finally {
    hub.close();
    await store.close();
  }
}
