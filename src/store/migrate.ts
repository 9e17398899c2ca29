import { sql, type Kysely } from 'kysely';
import type { Engine } from './store.js';

export interface SchemaHelpers {
  engine: Engine;
  /** Column type for an auto-incrementing integer primary key. */
  serialType: 'integer' | 'bigserial';
  /** Makes the next generated id of `table` at least `value`. */
  startSequenceAt(db: Kysely<any>, table: string, column: string, value: number): Promise<void>;
}

export interface Migration {
  id: string;
  up(db: Kysely<any>, helpers: SchemaHelpers): Promise<void>;
}

export function schemaHelpers(engine: Engine): SchemaHelpers {
  return {
    engine,
    serialType: engine === 'sqlite' ? 'integer' : 'bigserial',
    async startSequenceAt(db, table, column, value) {
      if (engine === 'sqlite') {
        await sql`INSERT INTO sqlite_sequence (name, seq) VALUES (${table}, ${value - 1})`.execute(db);
      } else {
        await sql`SELECT setval(pg_get_serial_sequence(${table}, ${column}), ${value}, false)`.execute(db);
      }
    },
  };
}

/** Applies the migrations not yet recorded, each in its own transaction, in list order. */
export async function migrate(db: Kysely<any>, engine: Engine, migrations: Migration[]): Promise<string[]> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const helpers = schemaHelpers(engine);
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('schema_migrations').select('id').where('id', '=', migration.id).executeTakeFirst();
      if (existing) return false;
      await migration.up(trx, helpers);
      await trx.insertInto('schema_migrations').values({ id: migration.id, applied_at: new Date().toISOString() }).execute();
      return true;
    });
    if (done) applied.push(migration.id);
  }
  return applied;
}
