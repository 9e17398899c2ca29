import type { Kysely } from 'kysely';
import type { Database } from '../../store/database.js';
import { BodyCheck } from '../common/body-check.js';

/** What one agent may do at once, and how fast it may move vault data. */
export interface AgentLimits {
  /** Backups, restores and cleanups the agent runs at the same time. */
  max_running_jobs: number;
  /** Vault uploads and downloads in bytes per second, shared by all its jobs; null: no limit. */
  upload_bytes_per_second: number | null;
  download_bytes_per_second: number | null;
}

export const DEFAULT_AGENT_MAX_RUNNING_JOBS = 1;
export const DEFAULT_AGENT_LIMITS: AgentLimits = { max_running_jobs: DEFAULT_AGENT_MAX_RUNNING_JOBS, upload_bytes_per_second: null, download_bytes_per_second: null };
const MAX_JOBS_AT_ONCE = 16;
/** Below 1 KiB/s a transfer would outlast any sensible timeout; above 100 GB/s there is nothing to limit. */
export const MIN_BYTES_PER_SECOND = 1024;
export const MAX_BYTES_PER_SECOND = 100_000_000_000;
const FIELDS = ['max_running_jobs', 'upload_bytes_per_second', 'download_bytes_per_second'];

/** A bandwidth limit at `field`: an integer of bytes per second in range, or null (absent: null too). */
export function checkBytesPerSecond(check: BodyCheck, field: string): number | null {
  if (check.get(field) === null) return null;
  return check.integer(field, { min: MIN_BYTES_PER_SECOND, max: MAX_BYTES_PER_SECOND }) ?? null;
}

/** PUT replaces the limits; an omitted field takes its default, an unknown one is refused. */
export function parseAgentLimits(body: unknown): AgentLimits {
  const check = BodyCheck.object(body);
  for (const key of Object.keys(body as object)) if (!FIELDS.includes(key)) check.problem(`${key} is not a limit; known: ${FIELDS.join(', ')}.`);
  const maxRunning = check.integer('max_running_jobs', { min: 1, max: MAX_JOBS_AT_ONCE });
  const upload = checkBytesPerSecond(check, 'upload_bytes_per_second');
  const download = checkBytesPerSecond(check, 'download_bytes_per_second');
  check.done();
  return { max_running_jobs: maxRunning ?? DEFAULT_AGENT_MAX_RUNNING_JOBS, upload_bytes_per_second: upload, download_bytes_per_second: download };
}

export async function readAgentLimits(db: Kysely<Database>, agentId: string): Promise<AgentLimits> {
  const row = await db.selectFrom('agent_limits').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
  if (!row) return DEFAULT_AGENT_LIMITS;
  return { max_running_jobs: row.max_running_jobs, upload_bytes_per_second: numberOrNull(row.upload_bytes_per_second), download_bytes_per_second: numberOrNull(row.download_bytes_per_second) };
}

export async function writeAgentLimits(db: Kysely<Database>, agentId: string, limits: AgentLimits): Promise<void> {
  const values = { ...limits, updated_at: new Date().toISOString() };
  await db
    .insertInto('agent_limits')
    .values({ agent_id: agentId, ...values })
    .onConflict((oc) => oc.column('agent_id').doUpdateSet(values))
    .execute();
}

const numberOrNull = (value: number | string | null) => (value === null ? null : Number(value));
