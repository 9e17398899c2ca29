import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../server/context.js';
import type { Urls } from '../../server/links.js';
import { isoNow } from '../../server/time.js';
import { logfileFromRow, type Logfile } from './logfile.js';
import { logfileContentUrl } from './logfile.presenter.js';
import { LogfileState } from '../../domain/job-states.js';

/** Asks the agent for its log file: the `logfile_upload` event tells it where to PUT the gzip file. */
export async function requestLogfile(ctx: AppContext, projectId: string, agentId: string, urls: Urls): Promise<Logfile> {
  const id = randomUUID();
  const now = isoNow();
  return ctx.store.transaction(async (tx) => {
    const row = await tx.db
      .insertInto('logfiles')
      .values({ id, project_id: projectId, agent_id: agentId, state: LogfileState.requested, date: now, blob_path: null, blob_size: null, updated_at: now, version_no: 1 })
      .returningAll()
      .executeTakeFirstOrThrow();
    await ctx.events.record(tx, {
      projectId,
      agentId,
      subjectId: id,
      name: 'logfile_upload',
      body: { agent: { id: agentId }, request_id: id, links: [{ href: logfileContentUrl(urls, { agentId, id }), rel: 'logfile' }] },
    });
    return logfileFromRow(row);
  });
}
