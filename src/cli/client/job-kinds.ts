import { isTerminalTaskState, jobHasEnded, JobState, TaskState, WORK_KINDS, type WorkKind } from '../../domain/job-states.js';
import type { ApiClient } from './api-client.js';
import { UsageError } from './errors.js';

export function isTerminal(kind: WorkKind, state: string): boolean {
  return kind === 'task' ? isTerminalTaskState(state) : jobHasEnded(kind, state);
}

/** 0 when the job did all its work, 1 otherwise (failed, completed with errors, stopped, skipped, missed). */
export function exitCodeFor(kind: WorkKind, state: string): number {
  return kind === 'task' ? (state === TaskState.SUCCEEDED ? 0 : 1) : state === JobState.completed ? 0 : 1;
}

export function jobPath(client: ApiClient, kind: WorkKind, id: string, ...rest: string[]): string {
  return kind === 'task' ? client.v3('tasks', id, ...rest) : client.v2(`${kind}s`, id, ...rest);
}

export function parseKind(text: string | undefined): WorkKind | undefined {
  if (text === undefined) return undefined;
  const kind = text.toLowerCase().replace(/s$/, '') as WorkKind;
  if (!WORK_KINDS.includes(kind)) throw new UsageError(`--type must be one of ${WORK_KINDS.join(', ')}, got "${text}"`);
  return kind;
}

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Recent job ids of a kind (or of every kind), to expand the short ids tables show. */
async function recentJobIds(client: ApiClient, kind?: WorkKind): Promise<string[]> {
  const lists: Promise<string[]>[] = [];
  if (kind === undefined)
    lists.push(client.get<{ activities: { id: string }[] }>(client.v2('activities'), { query: { limit: 1000 }, accept: [404] }).then((r) => (r.body?.activities ?? []).map((a) => a.id)));
  else if (kind !== 'task') lists.push(client.get<Record<string, { id: string }[]>>(client.v2(`${kind}s`), { query: { limit: 1000 } }).then((r) => (r.body[`${kind}s`] ?? []).map((j) => j.id)));
  if (kind === undefined || kind === 'task')
    lists.push(client.get<{ resources: { guid: string }[] }>(client.v3('tasks'), { query: { per_page: 1000 }, accept: [404] }).then((r) => (r.body?.resources ?? []).map((t) => t.guid)));
  return [...new Set((await Promise.all(lists)).flat())];
}

/** A full job id from a full id or a unique prefix of at least 4 characters (the tables show 8). */
export async function expandJobId(client: ApiClient, ref: string, kind?: WorkKind): Promise<string> {
  if (FULL_ID.test(ref)) return ref;
  if (ref.length < 4) throw new UsageError(`"${ref}" is too short to find a job by; give at least 4 characters of its id`);
  const matches = (await recentJobIds(client, kind)).filter((id) => id.startsWith(ref.toLowerCase()));
  const [match, ...others] = matches;
  if (match !== undefined && others.length === 0) return match;
  if (matches.length > 1) throw new UsageError(`"${ref}" matches ${matches.length} jobs; give more of the id`);
  throw new UsageError(`no recent ${kind ?? 'job'} with an id starting "${ref}"`);
}

/** Which kind of job an id (or unique id prefix) belongs to, by asking each collection. */
export async function findJob(client: ApiClient, ref: string, kind?: WorkKind): Promise<{ kind: WorkKind; id: string; job: any }> {
  const id = await expandJobId(client, ref, kind);
  for (const candidate of kind ? [kind] : WORK_KINDS) {
    const response = await client.get(jobPath(client, candidate, id), { accept: [400, 404, 422] });
    if (response.status === 200) return { kind: candidate, id, job: response.body };
  }
  throw new UsageError(`no ${kind ?? 'backup, restore, cleanup or task'} with id "${ref}"`);
}
