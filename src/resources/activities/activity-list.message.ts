import { ALL_JOB_STATES, TASK_STATES, VERIFICATION_RUN_STATES, WORK_KINDS } from '../../domain/job-states.js';
import { badRequest } from '../../errors/app-error.js';
import { parsePageQuery, type PageQuery } from '../common/v2-pagination.js';

const TYPES = [...WORK_KINDS, 'verification'] as const;
export type ActivityType = (typeof TYPES)[number];
const STATES: readonly string[] = [...new Set([...ALL_JOB_STATES, ...TASK_STATES, ...VERIFICATION_RUN_STATES])];

export type ActivityFilterName = 'type' | 'state' | 'agent_ids' | 'configuration_ids';

export interface ActivityListMessage {
  page: PageQuery;
  types?: ActivityType[];
  states?: string[];
  agentIds?: string[];
  configurationIds?: string[];
  /** The filters as given, repeated in the paging links. */
  keep: Record<string, string | undefined>;
}

function commaList(query: Record<string, unknown>, name: string): string[] | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw badRequest(`The query parameter "${name}" may be given only once; separate several values with commas.`);
  const items = String(value)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw badRequest(`Invalid ${name}: give at least one value.`);
  return items;
}

/**
 * Paging plus the historical filters (§3.6): `type` and `state` (one value or a comma-separated list), `agent_ids`
 * and `configuration_ids` (comma-separated). Each scope accepts only its own filters; others are ignored.
 */
export function parseActivityList(query: Record<string, unknown>, allowed: readonly ActivityFilterName[]): ActivityListMessage {
  const page = parsePageQuery(query, 'desc');
  const message: ActivityListMessage = { page, keep: {} };
  const read = (name: ActivityFilterName) => (allowed.includes(name) ? commaList(query, name) : undefined);
  const types = read('type');
  if (types) {
    const unknown = types.find((type) => !(TYPES as readonly string[]).includes(type));
    if (unknown !== undefined) throw badRequest(`Invalid type "${unknown}": it must be backup, restore, cleanup or task.`);
    message.types = types as ActivityType[];
  }
  const states = read('state');
  if (states) {
    const unknown = states.find((state) => !STATES.includes(state));
    if (unknown !== undefined) throw badRequest(`Invalid state "${unknown}": it must be one of ${STATES.join(', ')}.`);
    message.states = states;
  }
  message.agentIds = read('agent_ids');
  message.configurationIds = read('configuration_ids');
  for (const name of allowed) {
    const value = query[name];
    if (typeof value === 'string') message.keep[name] = value;
  }
  return message;
}
