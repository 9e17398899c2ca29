import { evaluateTests } from '../../domain/json-patch/index.js';
import { logfileMachine } from '../../domain/state-machines/job-machines.js';
import { assertTransition, type Actor } from '../../domain/state-machines/state-machine.js';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { logfileFromRow, type Logfile } from './logfile.js';
import type { LogfilePatchMessage } from './logfile-patch.message.js';

const MAX_ATTEMPTS = 5;

/**
 * The agent reports `started` and `completed`; each change records `logfile_<state>`. Compare-and-set on the
 * version keeps two reports from both winning. `present` renders the log file for `test` operations.
 */
export async function patchLogfile(ctx: AppContext, id: string, actor: Actor, message: LogfilePatchMessage, present: (logfile: Logfile) => unknown): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await ctx.store.transaction(async (tx) => {
      const logfile = logfileFromRow(await tx.db.selectFrom('logfiles').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      if (message.tests.length > 0) evaluateTests(present(logfile), message.tests);
      if (message.state === undefined) return 'done';
      if (assertTransition(logfileMachine, logfile.state, message.state, actor) === 'unchanged') return 'done';
      const updated = await tx.db
        .updateTable('logfiles')
        .set({ state: message.state, updated_at: isoNow(), version_no: logfile.version + 1 })
        .where('id', '=', id)
        .where('version_no', '=', logfile.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return 'retry';
      await ctx.events.record(tx, {
        projectId: logfile.projectId,
        agentId: logfile.agentId,
        subjectId: id,
        name: `logfile_${message.state}`,
        body: { agent: { id: logfile.agentId }, request_id: id },
      });
      return 'done';
    });
    if (outcome === 'done') return;
  }
  throw conflict('The log file is being changed by several writers at once; try again.');
}
