import { sql } from 'kysely';
import type { Migration } from '../migrate.js';

/**
 * `jobs.revision` moves on every UPDATE of a job row, whatever the writer and whichever columns it sets (a trigger,
 * not each writer, does it), so (seq, revision) names one content of a row: a reader that kept something made from
 * a row may keep using it while both are the same (the job list pages, src/resources/jobs/list-item-json.ts).
 * A deleted job's seq is never handed out again (AUTOINCREMENT, a sequence).
 *
 * PostgreSQL: a BEFORE UPDATE trigger sets it to the old value plus one. SQLite cannot change NEW in a trigger: an
 * AFTER UPDATE trigger updates the row's revision when the statement left it as it was (recursive triggers are off,
 * and with the WHEN clause the trigger's own update could not fire it again anyway).
 */
export const jobRevision: Migration = {
  id: '0310-job-revision',
  async up(db, { engine }) {
    if (engine === 'postgres') {
      await sql`ALTER TABLE jobs ADD COLUMN revision bigint NOT NULL DEFAULT 0`.execute(db);
      await sql`
        CREATE FUNCTION coffer_next_job_revision() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          NEW.revision := OLD.revision + 1;
          RETURN NEW;
        END $$`.execute(db);
      await sql`CREATE TRIGGER jobs_revision BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION coffer_next_job_revision()`.execute(db);
    } else {
      await sql`ALTER TABLE jobs ADD COLUMN revision integer NOT NULL DEFAULT 0`.execute(db);
      await sql`
        CREATE TRIGGER jobs_revision AFTER UPDATE ON jobs FOR EACH ROW WHEN NEW.revision = OLD.revision
        BEGIN
          UPDATE jobs SET revision = OLD.revision + 1 WHERE seq = NEW.seq;
        END`.execute(db);
    }
  },
};
