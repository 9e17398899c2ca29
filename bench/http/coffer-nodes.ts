import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { call, inParallel, registerAgentOver, spawnServer, type ServerProcess } from '../../test/e2e/multi-node-server-process.js';

export const BENCH_ADMIN_TOKEN = `bench-admin-${randomBytes(8).toString('hex')}`;
export const BENCH_PROJECT = '990001';

export interface CofferNodes {
  urls: string[];
  /** The server processes' ids (their CPU time is read from /proc). */
  pids: number[];
  agentToken: string;
  /** Cleanups in progress, one per load connection: each connection reports on its own. */
  cleanupIds: string[];
  stop(): Promise<void>;
}

export interface CofferNodesOptions {
  nodes: number;
  /** postgres://… (a database of its own is created in that server), or undefined for SQLite. */
  postgresUrl?: string;
  groupCommit?: boolean;
  cleanups: number;
  /** More environment for the server processes (e.g. NODE_OPTIONS=--cpu-prof). */
  env?: Record<string, string>;
}

async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `coffer_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Starts Coffer server processes on one fresh database, with an agent and `cleanups` cleanups in progress. */
export async function startCofferNodes(options: CofferNodesOptions): Promise<CofferNodes> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-'));
  const database = options.postgresUrl ? await createDatabase(options.postgresUrl) : null;
  const env = {
    DATABASE_URL: database?.url ?? '',
    COFFER_DATA_DIR: dataDir,
    COFFER_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    COFFER_GROUP_COMMIT: options.groupCommit === false ? '0' : '1',
    ...options.env,
  };
  const servers: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < options.nodes; i++) servers.push(await spawnServer(env));
    const urls = servers.map((s) => s.url);
    const agent = await registerAgentOver(urls[0]!, BENCH_PROJECT, BENCH_ADMIN_TOKEN);
    const cleanupIds = await inParallel(
      Array.from({ length: options.cleanups }, (_, i) => i),
      8,
      async (i) => {
        const url = urls[i % urls.length]!;
        const created = await call(url, 'POST', `/v2/${BENCH_PROJECT}/cleanups`, BENCH_ADMIN_TOKEN, { agent_id: agent.id, state: 'start_requested' });
        if (created.status !== 201) throw new Error(`cleanup create: ${created.status} ${created.text}`);
        for (const state of ['queued', 'in_progress']) {
          const res = await call(url, 'PATCH', `/v2/${BENCH_PROJECT}/cleanups/${created.body.id}`, agent.token, [{ op: 'replace', path: '/state', value: state }]);
          if (res.status !== 204) throw new Error(`cleanup ${state}: ${res.status} ${res.text}`);
        }
        return created.body.id as string;
      },
    );
    return { urls, pids: servers.map((s) => s.child.pid!), agentToken: agent.token, cleanupIds, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
