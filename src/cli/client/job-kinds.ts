import type { ApiClient } from './api-client.js';
import { UsageError } from './errors.js';

export type JobKind = 'backup' | 'restore' | 'cleanup' | 'task';
export const JOB_KINDS: readonly JobKind[] = ['backup', 'restore', 'cleanup', 'task'];

const V2_TERMINAL = ['completed', 'completed_with_errors', 'failed', 'stopped', 'skipped', 'missed'];
const TASK_TERMINAL = ['SUCCEEDED', 'FAILED'];

export function isTerminal(kind: JobKind, state: string): boolean {
  return kind === 'task' ? TASK_TERMINAL.includes(state) : V2_TERMINAL.includes(state);
}

/** 0 when the job did all its work, 1 otherwise (failed, completed with errors, stopped, skipped, missed). */
export function exitCodeFor(kind: JobKind, state: string): number {
  return kind === 'task' ? (state === 'SUCCEEDED' ? 0 : 1) : state === 'completed' ? 0 : 1;
}

export function jobPath(client: ApiClient, kind: JobKind, id: string, ...rest: string[]): string {
  return kind === 'task' ? client.v3('tasks', id, ...rest) : client.v2(`${kind}s`, id, ...rest);
}

export function parseKind(text: string | undefined): JobKind | undefined {
  if (text === undefined) return undefined;
  const kind = text.toLowerCase().replace(/s$/, '') as JobKind;
  if (!JOB_KINDS.includes(kind)) throw new UsageError(`--type must be one of ${JOB_KINDS.join(', ')}, got "${text}"`);
  return kind;
}

const FULL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Recent job ids of a kind (or of every kind), to expand the short ids tables show. */
async function recentJobIds(client: ApiClient, kind?: JobKind): Promise<string[]> {
  const lists: Promise<string[]>[] = [];
  if (kind === undefined) lists.push(client.get<{ activities: { id: string }[] }>(client.v2('activities'), { query: { limit: 1000 }, accept: [404] }).then((r) => (r.body?.activities ?? []).map((a) => a.id)));
  else if (kind !== 'task') lists.push(client.get<Record<string, { id: string }[]>>(client.v2(`${kind}s`), { query: { limit: 1000 } }).then((r) => (r.body[`${kind}s`] ?? []).map((j) => j.id)));
  if (kind === undefined || kind === 'task') lists.push(client.get<{ resources: { guid: string }[] }>(client.v3('tasks'), { query: { per_page: 1000 }, accept: [404] }).then((r) => (r.body?.resources ?? []).map((t) => t.guid)));
  return [...new Set((await Promise.all(lists)).flat())];
}

/** A full job id from a full id or a unique prefix of at least 4 characters (the tables show 8). */
export async function expandJobId(client: ApiClient, ref: string, kind?: JobKind): Promise<string> {
  if (FULL_ID.test(ref)) return ref;
  if (ref.length < 4) throw new UsageError(`"${ref}" is too short to find a job by; give at least 4 characters of its id`);
  const matches = (await recentJobIds(client, kind)).filter((id) => id.startsWith(ref.toLowerCase()));
  const [match, ...others] = matches;
  if (match !== undefined && others.length === 0) return match;
  if (matches.length > 1) throw new UsageError(`"${ref}" matches ${matches.length} jobs; give more of the id`);
  throw new UsageError(`no recent ${kind ?? 'job'} with an id starting "${ref}"`);
}

/** Which kind of job an id (or unique id prefix) belongs to, by asking each collection. */
export async function findJob(client: ApiClient, ref: string, kind?: JobKind): Promise<{ kind: JobKind; id: string; job: any }> {
  const id = await expandJobId(client, ref, kind);
  for (const candidate of kind ? [kind] : JOB_KINDS) {
    const response = await client.get(jobPath(client, candidate, id), { accept: [400, 404, 422] });
    if (response.status === 200) return { kind: candidate, id, job: response.body };
  }
  throw new UsageError(`no ${kind ?? 'backup, restore, cleanup or task'} with id "${ref}"`);
}
