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

/** Which kind of job an id belongs to, by asking each collection. */
export async function findJob(client: ApiClient, id: string, kind?: JobKind): Promise<{ kind: JobKind; job: any }> {
  for (const candidate of kind ? [kind] : JOB_KINDS) {
    const response = await client.get(jobPath(client, candidate, id), { accept: [400, 404, 422] });
    if (response.status === 200) return { kind: candidate, job: response.body };
  }
  throw new UsageError(`no ${kind ?? 'backup, restore, cleanup or task'} with id "${id}"`);
}
