import { evaluateTests } from '../../domain/json-patch/index.js';
import { logfileMachine } from '../../domain/state-machines/job-machines.js';
import { assertTransition, type Actor } from '../../domain/state-machines/state-machine.js';
import { compareAndSet } from '../../store/compare-and-set.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { logfileFromRow, type Logfile } from './logfile.js';
import type { LogfilePatchMessage } from './logfile-patch.message.js';

/**
 * The agent reports `started` and `completed`; each change records `logfile_<state>`. Log files follow the
 * optimistic rule (compareAndSet), which keeps two reports from both winning. `present` renders the log file for
 * `test` operations.
 */
export async function patchLogfile(ctx: AppContext, id: string, actor: Actor, message: LogfilePatchMessage, present: (logfile: Logfile) => unknown): Promise<void> {
  await compareAndSet<Logfile, void>(ctx.store, {
    table: 'logfiles',
    id,
    noun: 'log file',
    rule: 'optimistic',
    read: async (tx) => logfileFromRow(await tx.db.selectFrom('logfiles').selectAll().where('id', '=', id).executeTakeFirstOrThrow()),
    decide(logfile) {
      if (message.tests.length > 0) evaluateTests(present(logfile), message.tests);
      const state = message.state;
      if (state === undefined) return { write: false, result: undefined };
      if (assertTransition(logfileMachine, logfile.state, state, actor) === 'unchanged') return { write: false, result: undefined };
      return {
        write: true,
        set: { state, updated_at: isoNow() },
        event: ctx.events.prepare({
          projectId: logfile.projectId,
          agentId: logfile.agentId,
          subjectId: id,
          name: `logfile_${state}`,
          body: { agent: { id: logfile.agentId }, request_id: id },
        }),
        result: () => undefined,
      };
    },
  });
}
