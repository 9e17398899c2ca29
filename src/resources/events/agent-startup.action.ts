import { randomUUID } from 'node:crypto';
import { JOB_MACHINES } from '../../domain/state-machines/job-machines.js';
import type { JobKind } from '../../domain/job-states.js';
import type { AppContext } from '../../server/context.js';
import type { Urls } from '../../server/links.js';
import type { Tx } from '../../store/store.js';
import { logfileContentUrl } from '../logfiles/logfile.presenter.js';
import { JobState, LogfileState } from '../../domain/job-states.js';

/** Events that hand work to an agent, by what they are about. */
const REQUEST_EVENT_NAMES = ['logfile_upload', 'host_browse', 'backup_browse', 'vault_encryption_enable', 'vault_encryption_change', 'vault_password_verify'];

interface PendingWork {
  subjectId: string;
  configurationId: string | null;
  names: string[];
  /** Body to send when the original event has been pruned. */
  fallback: { name: string; body: Record<string, unknown> } | null;
}

/**
 * `startup`: the agent may have missed requests while it was down, so every piece of work still waiting for it is
 * announced again as a new event (with a new id, after the agent's marker): start and stop requests of its
 * unfinished jobs, log files not yet uploaded, and browse and vault requests not yet answered.
 */
export async function announcePendingWork(ctx: AppContext, projectId: string, agentId: string, urls: Urls): Promise<number> {
  return ctx.store.transaction(async (tx) => {
    const pending = [...(await pendingJobs(tx, agentId)), ...(await pendingLogfiles(tx, agentId, urls)), ...(await pendingRequests(tx, agentId))];
    let announced = 0;
    for (const work of pending) {
      const original = await tx.db
        .selectFrom('events')
        .select(['name', 'body'])
        .where('subject_id', '=', work.subjectId)
        .where('name', 'in', work.names)
        .where('hidden', '=', 0)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const event = original ? { name: original.name, body: JSON.parse(original.body) as Record<string, unknown> } : work.fallback;
      if (!event) continue;
      await ctx.events.record(tx, { projectId, agentId, configurationId: work.configurationId, subjectId: work.subjectId, name: event.name, body: event.body });
      announced++;
    }
    return announced;
  });
}

async function pendingJobs(tx: Tx, agentId: string): Promise<PendingWork[]> {
  const rows = await tx.db.selectFrom('jobs').select(['id', 'kind', 'state', 'started_by', 'configuration_id']).where('agent_id', '=', agentId).orderBy('seq', 'asc').execute();
  return rows.flatMap((row): PendingWork[] => {
    const kind = row.kind as JobKind;
    const machine = JOB_MACHINES[kind];
    if (machine.terminal.includes(row.state)) return [];
    const refs: Record<string, unknown> = { agent: { id: agentId } };
    if (kind !== 'cleanup') refs.configuration = { id: row.configuration_id };
    refs[kind] = { id: row.id };
    if (row.state === machine.stopRequest) {
      const name = `${kind}_stop_request`;
      return [{ subjectId: row.id, configurationId: row.configuration_id, names: [name], fallback: { name, body: { ...refs, request_id: randomUUID() } } }];
    }
    // Only a user's request has a start request to repeat; an agent that started a job itself knows of it.
    if (row.started_by !== JobState.start_requested) return [];
    const name = `${kind}_start_request`;
    return [{ subjectId: row.id, configurationId: row.configuration_id, names: [name], fallback: { name, body: { ...refs, request_id: row.id } } }];
  });
}

async function pendingLogfiles(tx: Tx, agentId: string, urls: Urls): Promise<PendingWork[]> {
  const rows = await tx.db.selectFrom('logfiles').select('id').where('agent_id', '=', agentId).where('state', '!=', LogfileState.completed).orderBy('seq', 'asc').execute();
  return rows.map((row) => ({
    subjectId: row.id,
    configurationId: null,
    names: ['logfile_upload'],
    fallback: {
      name: 'logfile_upload',
      body: { agent: { id: agentId }, request_id: row.id, links: [{ href: logfileContentUrl(urls, { agentId, id: row.id }), rel: 'logfile' }] },
    },
  }));
}

async function pendingRequests(tx: Tx, agentId: string): Promise<PendingWork[]> {
  const rows = await tx.db.selectFrom('agent_requests').select('id').where('agent_id', '=', agentId).where('reported_at', 'is', null).orderBy('created_at', 'asc').execute();
  return rows.map((row) => ({ subjectId: row.id, configurationId: null, names: REQUEST_EVENT_NAMES, fallback: null }));
}
