import { randomUUID } from 'node:crypto';
import { conflict } from '../../errors/app-error.js';
import type { AppContext } from '../../server/context.js';
import { isoNow } from '../../server/time.js';
import { hashPassword } from './password.js';
import { ensureProject } from './projects.js';
import type { UserCreateMessage } from './user-create.message.js';

export interface CreatedUser {
  id: string;
  username: string;
  projectId: string | null;
  roles: string[];
  isAdmin: boolean;
  createdAt: string;
}

export async function createUser(ctx: AppContext, message: UserCreateMessage): Promise<CreatedUser> {
  const passwordHash = await hashPassword(message.password);
  return ctx.store.transaction(async (tx) => {
    const taken = await tx.db.selectFrom('users').select('id').where('username', '=', message.username).executeTakeFirst();
    if (taken) throw conflict(`A user named "${message.username}" already exists.`);
    await ensureProject(tx.db, message.projectId);
    const user = { id: randomUUID(), username: message.username, projectId: message.projectId, roles: message.roles, isAdmin: false, createdAt: isoNow() };
    await tx.db
      .insertInto('users')
      .values({
        id: user.id,
        username: user.username,
        password_hash: passwordHash,
        project_id: user.projectId,
        roles: JSON.stringify(user.roles),
        is_admin: 0,
        created_at: user.createdAt,
      })
      .execute();
    return user;
  });
}

/** On first start without COFFER_ADMIN_TOKEN: an `admin` user whose password is shown once. */
export async function createFirstAdmin(ctx: AppContext, password: string): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  return ctx.store.transaction(async (tx) => {
    const any = await tx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    await tx.db
      .insertInto('users')
      .values({ id: randomUUID(), username: 'admin', password_hash: passwordHash, project_id: null, roles: JSON.stringify(['cloudbackup:admin']), is_admin: 1, created_at: isoNow() })
      .execute();
    return true;
  });
}

export function presentUser(user: CreatedUser) {
  return { id: user.id, username: user.username, project_id: user.projectId, roles: user.roles, created_at: user.createdAt };
}
