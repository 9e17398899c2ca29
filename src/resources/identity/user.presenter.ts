import type { Selectable } from 'kysely';
import type { UsersTable } from '../../store/database.js';

/** A user as the API shows it; never the password hash. */
export function presentUserRow(row: Selectable<UsersTable>) {
  return {
    id: row.id,
    username: row.username,
    project_id: row.project_id,
    roles: JSON.parse(row.roles) as string[],
    is_admin: row.is_admin === 1,
    disabled: row.disabled === 1,
    created_at: row.created_at,
  };
}
