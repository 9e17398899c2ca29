import { sql, type ExpressionBuilder, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { LabelSelectorRequirement } from '../../domain/label-selector/index.js';
import type { Caller } from '../../server/caller.js';
import type { Database } from '../../store/database.js';
import type { TaskListMessage, TimestampFilter } from './task-list.message.js';
import { TASK_COLUMNS, taskFromRow, type Task } from './task.js';

type Eb = ExpressionBuilder<Database, 'tasks'>;

export interface TaskListScope {
  caller: Caller;
  /** The agent of the nested list. */
  agentId?: string;
}

/**
 * One page of the tasks the caller may see, filtered entirely in SQL (label selectors included, through
 * task_labels), so total_results and the pages are exact.
 */
export async function listTasks(db: Kysely<Database>, scope: TaskListScope, message: TaskListMessage): Promise<{ tasks: Task[]; total: number }> {
  const where = (eb: Eb) => eb.and(conditions(eb, scope, message));
  const counted = await db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where(where)
    .executeTakeFirstOrThrow();
  const { page, perPage, orderBy } = message.paging;
  let query = db.selectFrom('tasks').select(TASK_COLUMNS).where(where);
  if (orderBy) {
    const column = orderBy.column === 'updated_at' ? 'tasks.updated_at' : 'tasks.created_at';
    query = query.orderBy(column, orderBy.direction).orderBy('tasks.id', orderBy.direction);
  } else {
    query = query.orderBy('tasks.seq', 'asc');
  }
  const rows = await query
    .limit(perPage)
    .offset((page - 1) * perPage)
    .execute();
  return { tasks: rows.map(taskFromRow), total: Number(counted.n) };
}

function conditions(eb: Eb, scope: TaskListScope, message: TaskListMessage): Expression<SqlBool>[] {
  const all: Expression<SqlBool>[] = [];
  const { caller } = scope;
  if (caller.kind === 'user') all.push(eb('tasks.project_id', '=', caller.projectId));
  if (caller.kind === 'agent') all.push(eb('tasks.agent_id', '=', caller.agentId));
  if (scope.agentId !== undefined) all.push(eb('tasks.agent_id', '=', scope.agentId));
  const { guids, names, states, agent_guids: agentGuids, sequence_ids: sequenceIds } = message.arrays;
  if (guids) all.push(eb('tasks.id', 'in', guids));
  if (names) all.push(eb('tasks.name', 'in', names));
  if (states) all.push(eb('tasks.state', 'in', states));
  if (agentGuids) all.push(eb('tasks.agent_id', 'in', agentGuids));
  if (sequenceIds) {
    // CF only checks that this is a list: values that are not whole numbers match nothing.
    const numbers = sequenceIds.filter((v) => /^\d{1,15}$/.test(v)).map(Number);
    all.push(numbers.length > 0 ? eb('tasks.sequence_id', 'in', numbers) : never());
  }
  if (message.createdAts) all.push(timestampCondition(eb, 'tasks.created_at', message.createdAts));
  if (message.updatedAts) all.push(timestampCondition(eb, 'tasks.updated_at', message.updatedAts));
  for (const requirement of message.labelSelector?.requirements ?? []) all.push(labelCondition(eb, requirement));
  return all;
}

const never = () => sql<SqlBool>`1 = 0`;

/**
 * Stored times are `YYYY-MM-DDThh:mm:ss.ffffffZ`, which sort as text; a filter second T covers T.000000 to T.999999
 * (docs/reference/cf-v3-tasks.md §6.3): lt < T, lte ≤ T+0.999999, gt > T+0.999999, gte ≥ T, equality within the second.
 */
function timestampCondition(eb: Eb, column: 'tasks.created_at' | 'tasks.updated_at', filter: TimestampFilter): Expression<SqlBool> {
  const start = (second: string) => `${second.slice(0, 19)}.000000Z`;
  const end = (second: string) => `${second.slice(0, 19)}.999999Z`;
  if (filter.kind === 'equal') return eb.or(filter.seconds.map((s) => eb.and([eb(column, '>=', start(s)), eb(column, '<=', end(s))])));
  return eb.and(
    filter.bounds.map(({ operator, second }) => {
      switch (operator) {
        case 'lt':
          return eb(column, '<', start(second));
        case 'lte':
          return eb(column, '<=', end(second));
        case 'gt':
          return eb(column, '>', end(second));
        case 'gte':
          return eb(column, '>=', start(second));
      }
    }),
  );
}

/** Cloud Controller's label query: notin and != also match tasks without the key; `key=` matches nothing. */
function labelCondition(eb: Eb, requirement: LabelSelectorRequirement): Expression<SqlBool> {
  const withKey = (values?: readonly string[]) => {
    let query = eb
      .selectFrom('task_labels')
      .select(sql`1`.as('one'))
      .whereRef('task_labels.task_id', '=', 'tasks.id')
      .where('task_labels.key', '=', requirement.key);
    if (values) query = query.where('task_labels.value', 'in', [...values]);
    return eb.exists(query);
  };
  switch (requirement.operator) {
    case 'exists':
      return withKey();
    case 'not_exists':
      return eb.not(withKey());
    case 'in':
    case 'equal':
      return requirement.values.length > 0 ? withKey(requirement.values) : never();
    case 'notin':
    case 'not_equal':
      return requirement.values.length > 0 ? eb.not(withKey(requirement.values)) : sql<SqlBool>`1 = 1`;
  }
}
