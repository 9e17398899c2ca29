import { BodyCheck } from '../common/body-check.js';

export function parsePasswordChange(body: unknown): { password: string; currentPassword: string | undefined } {
  const check = BodyCheck.object(body);
  const password = check.string('password', { required: true, maxLength: 1024 });
  if (typeof password === 'string' && password.length < 8) check.problem('password must be at least 8 characters.');
  const current = check.string('current_password', { maxLength: 1024 });
  check.done();
  return { password: password as string, currentPassword: current ?? undefined };
}
