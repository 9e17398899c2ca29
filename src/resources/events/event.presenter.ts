import type { Selectable } from 'kysely';
import type { EventsTable } from '../../store/database.js';

export type EventRow = Pick<Selectable<EventsTable>, 'id' | 'name' | 'time' | 'body'>;

/** The wire form: `{id, time, event, ...body}` with the id as a decimal string. */
export function presentEvent(row: EventRow): Record<string, unknown> {
  return { id: String(row.id), time: row.time, event: row.name, ...JSON.parse(row.body) };
}

/** Observers never see a task's command (docs/reference/cf-v3-tasks.md §2.4), in the event stream as on /v3/tasks. */
export function presentEventForObserver(row: EventRow): Record<string, unknown> {
  const event = presentEvent(row);
  const task = event.task as Record<string, unknown> | undefined;
  if (task && typeof task === 'object' && 'command' in task) {
    const { command: _hidden, ...rest } = task;
    event.task = rest;
  }
  // Vault passwords, even encrypted for the agent's key, are for creators and the agent.
  for (const field of ['encrypted_password_hex', 'old_encrypted_password_hex', 'new_encrypted_password_hex']) delete event[field];
  return event;
}
