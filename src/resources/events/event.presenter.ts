import type { Selectable } from 'kysely';
import type { EventsTable } from '../../store/database.js';

export type EventRow = Pick<Selectable<EventsTable>, 'id' | 'name' | 'time' | 'body'>;

/** The wire form: `{id, time, event, ...body}` with the id as a decimal string. */
export function presentEvent(row: EventRow): Record<string, unknown> {
  return { id: String(row.id), time: row.time, event: row.name, ...JSON.parse(row.body) };
}
