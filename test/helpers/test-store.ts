import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';

export type TestEngine = 'sqlite' | 'postgres';

/** The engine this test run targets: COFFER_TEST_ENGINE=postgres (with TEST_DATABASE_URL) or SQLite. */
export function testEngine(): TestEngine {
  return process.env.COFFER_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestDatabase {
  engine: TestEngine;
  /** DATABASE_URL for a server process, or undefined for SQLite (use dataDir). */
  databaseUrl: string | undefined;
  dataDir: string;
  open(): Promise<Store>;
  drop(): Promise<void>;
}

/** A fresh, empty database of the run's engine: a new SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(engine: TestEngine = testEngine()): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-test-'));
  if (engine === 'sqlite') {
    return {
      engine,
      databaseUrl: undefined,
      dataDir,
      open: () => openSqliteStore({ file: path.join(dataDir, 'coffer.db') }),
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('COFFER_TEST_ENGINE=postgres needs TEST_DATABASE_URL');
  const name = `coffer_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    databaseUrl: url.toString(),
    dataDir,
    open: () => openPostgresStore({ url: url.toString(), poolSize: 5 }),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Gives the enclosing suite a fresh database of the run's engine and a store open on it: `before` creates both and
 * hands them to `receive`, `after` closes the store and drops the database.
 */
export function withFreshStore(receive: (store: Store, database: TestDatabase) => void): void {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  before(async () => {
    database = await createTestDatabase();
    store = await database.open();
    receive(store, database);
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });
}
