import os from 'node:os';
import { sql } from 'kysely';
import type { AppContext } from '../../server/context.js';
import { emailStatus } from '../notifications/email-status.js';

/** How long the database may take to answer `SELECT 1` before it counts as down. */
const PROBE_TIMEOUT_MS = 2_000;

export interface DependentSystem {
  group: 'storage' | 'transport' | 'notifications';
  name: string;
  /** Other names clients may use for it (docs/reference/rackspace-cloud-backup-v2.md §3.10: `cassandra` and `storage/cassandra` styles). */
  aliases: string[];
  probe(ctx: AppContext): Promise<{ online: boolean; extra?: Record<string, unknown> }>;
}

/** Asks the database for `SELECT 1`; throws what the driver throws when it does not answer. */
export async function pingDatabase(ctx: AppContext): Promise<void> {
  await sql`SELECT 1`.execute(ctx.store.db);
}

async function databaseAnswers(ctx: AppContext): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  const probe = pingDatabase(ctx).then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Our own components, in the reference's two-level shape: the database under `storage`, HTTP under `transport`. */
export function dependentSystems(ctx: AppContext): DependentSystem[] {
  const engine = ctx.store.capabilities.engine === 'postgres' ? 'postgresql' : 'sqlite';
  return [
    { group: 'storage', name: engine, aliases: engine === 'postgresql' ? ['postgres'] : [], probe: async (c) => ({ online: await databaseAnswers(c) }) },
    // This very answer proves the HTTP transport works.
    { group: 'transport', name: 'http', aliases: [], probe: async () => ({ online: true, extra: { node: os.hostname() } }) },
    // Not configured is not an outage: `online` stays true and `configured`/`message` say that nothing is mailed.
    { group: 'notifications', name: 'email', aliases: ['smtp'], probe: async (c) => ({ online: true, extra: await emailStatus(c) }) },
  ];
}

export function findDependentSystem(ctx: AppContext, spelling: string): DependentSystem | undefined {
  const wanted = spelling.toLowerCase();
  return dependentSystems(ctx).find((system) => [system.name, ...system.aliases].some((name) => wanted === name || wanted === `${system.group}/${name}`));
}
