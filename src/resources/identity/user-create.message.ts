import { isRoleName, ROLE_NAMES, type RoleName } from '../../server/caller.js';
import { BodyCheck } from '../common/body-check.js';

export interface UserCreateMessage {
  username: string;
  password: string;
  projectId: string;
  roles: RoleName[];
}

export const PROJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseUserCreate(body: unknown): UserCreateMessage {
  const check = BodyCheck.object(body);
  const username = check.string('username', { required: true, nonEmpty: true, maxLength: 128 });
  if (typeof username === 'string' && !/^[A-Za-z0-9_.@-]+$/.test(username)) check.problem('username may contain only letters, digits and _ . @ -');
  const password = check.string('password', { required: true, maxLength: 1024 });
  if (typeof password === 'string' && password.length < 8) check.problem('password must be at least 8 characters.');
  const projectId = check.string('project_id', { required: true, nonEmpty: true });
  if (typeof projectId === 'string' && projectId !== '' && !PROJECT_ID_PATTERN.test(projectId)) {
    check.problem('project_id may contain only letters, digits and _ . - (at most 64 characters).');
  }
  const roles = check.array('roles', { required: true });
  if (roles) {
    if (roles.length === 0) check.problem('roles must name at least one role.');
    roles.forEach((role, index) => {
      if (!isRoleName(role)) check.problem(`roles[${index}] must be one of ${ROLE_NAMES.join(', ')}.`);
    });
  }
  check.done();
  return { username: username as string, password: password as string, projectId: projectId as string, roles: [...new Set(roles as RoleName[])] };
}
