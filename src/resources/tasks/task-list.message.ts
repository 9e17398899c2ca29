import { LabelSelectorError, parseLabelSelector, type LabelSelector } from '../../domain/label-selector/index.js';
import { baseParamName, cgiEscape, orderByPair, parsePaging, parseRawQuery, percentDecode, type V3Paging } from '../common/v3-pagination.js';
import { badQueryParameter } from '../../errors/v3-catalogue.js';

/** TasksListMessage's keys with the agent in the app's place (space and organization filters have no Coffer meaning). */
export const TASK_LIST_KEYS = ['page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'names', 'states', 'agent_guids', 'sequence_ids', 'label_selector'] as const;
const ARRAY_FILTERS = ['guids', 'names', 'states', 'agent_guids', 'sequence_ids'] as const;
const RELATIONAL_OPERATORS = ['lt', 'lte', 'gt', 'gte'] as const;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export type ArrayFilter = (typeof ARRAY_FILTERS)[number];
export type RelationalOperator = (typeof RELATIONAL_OPERATORS)[number];

/** `created_ats=T1,T2` (any of those seconds) or `created_ats[lt]=T` … (all must hold). */
export type TimestampFilter = { kind: 'equal'; seconds: string[] } | { kind: 'relational'; bounds: { operator: RelationalOperator; second: string }[] };

export interface TaskListMessage {
  paging: V3Paging;
  arrays: Partial<Record<ArrayFilter, string[]>>;
  labelSelector: LabelSelector | undefined;
  createdAts: TimestampFilter | undefined;
  updatedAts: TimestampFilter | undefined;
  /** Escaped `key=value` pairs of every filter sent, for the pagination links. */
  linkPairs: string[];
}

/**
 * Parses a task list query the way Cloud Controller's TasksListMessage does; every problem goes into one
 * 400 CF-BadQueryParameter. `nested` is the agent's list: it takes sequence_ids, the top-level list agent_guids.
 */
export function parseTaskList(url: string, nested: boolean): TaskListMessage {
  const params = parseRawQuery(url);
  const errors: string[] = [];
  const unknown = [...new Set([...params.keys()].map(baseParamName))].filter((name) => !(TASK_LIST_KEYS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    errors.push(`Unknown query parameter(s): ${quoted(unknown)}. Valid parameters are: ${quoted(TASK_LIST_KEYS)}`);
  }
  const { paging, errors: pagingErrors } = parsePaging(params, ['created_at', 'updated_at']);
  errors.push(...pagingErrors);
  const createdAts = parseTimestampFilter(params, 'created_ats', 'Created ats', errors);
  const updatedAts = parseTimestampFilter(params, 'updated_ats', 'Updated ats', errors);

  let labelSelector: LabelSelector | undefined;
  const selectorText = params.get('label_selector');
  if (selectorText !== undefined) {
    try {
      labelSelector = parseLabelSelector(selectorText);
    } catch (error) {
      if (!(error instanceof LabelSelectorError)) throw error;
      errors.push(...error.messages);
    }
  }
  if (errors.length > 0) throw badQueryParameter(errors);

  // Valid for the message, but not on this route: named alone, without the list of valid parameters.
  const misplaced = nested ? ['agent_guids'] : ['sequence_ids'];
  const offending = misplaced.filter((name) => params.has(name));
  if (offending.length > 0) throw badQueryParameter([`Unknown query parameter(s): ${quoted(offending)}`]);

  const arrays: TaskListMessage['arrays'] = {};
  const linkPairs: string[] = [...orderByPair(paging.orderBy)];
  for (const name of ARRAY_FILTERS) {
    const text = params.get(name);
    if (text === undefined) continue;
    const values = splitArray(text);
    arrays[name] = values;
    linkPairs.push(`${name}=${cgiEscape(values.map((v) => v.replace(/,/g, '%2C')).join(','))}`);
  }
  if (selectorText !== undefined) linkPairs.push(`label_selector=${cgiEscape(selectorText)}`);
  linkPairs.push(...timestampPairs('created_ats', createdAts), ...timestampPairs('updated_ats', updatedAts));
  return { paging, arrays, labelSelector, createdAts, updatedAts, linkPairs };
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

/** BaseMessage.to_array!: split on a comma and any whitespace after it, keep empty values, unescape each value. */
function splitArray(text: string): string[] {
  return text.split(/,\s*/).map(percentDecode);
}

function parseTimestampFilter(params: Map<string, string>, name: string, label: string, errors: string[]): TimestampFilter | undefined {
  const plain = params.get(name);
  const operatorKeys = [...params.keys()].filter((key) => key.startsWith(`${name}[`));
  if (operatorKeys.length === 0) {
    if (plain === undefined) return undefined;
    const seconds = splitArray(plain);
    if (!seconds.every((value) => TIMESTAMP.test(value))) {
      errors.push(`${label} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`);
      return undefined;
    }
    return { kind: 'equal', seconds };
  }
  const bounds: { operator: RelationalOperator; second: string }[] = [];
  for (const key of operatorKeys) {
    const operator = key.slice(name.length + 1, key.endsWith(']') ? -1 : undefined);
    const value = params.get(key) ?? '';
    if (operator !== '' && !(RELATIONAL_OPERATORS as readonly string[]).includes(operator)) {
      errors.push(`${label} Invalid relational operator: '${operator}'`);
      return undefined;
    }
    if (operator === '' || value === '') {
      errors.push(`${label} relational operator and timestamp must be specified`);
      return undefined;
    }
    if (value.includes(',')) {
      errors.push(`${label} only accepts one value when using a relational operator`);
      return undefined;
    }
    if (!TIMESTAMP.test(value)) {
      errors.push(`${label} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`);
      return undefined;
    }
    bounds.push({ operator: operator as RelationalOperator, second: value });
  }
  return { kind: 'relational', bounds };
}

function timestampPairs(name: string, filter: TimestampFilter | undefined): string[] {
  if (!filter) return [];
  if (filter.kind === 'equal') return [`${name}=${cgiEscape(filter.seconds.join(','))}`];
  return filter.bounds.map(({ operator, second }) => `${cgiEscape(`${name}[${operator}]`)}=${cgiEscape(second)}`);
}
