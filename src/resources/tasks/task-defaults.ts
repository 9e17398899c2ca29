import { randomBytes } from 'node:crypto';

/** Cloud Controller's defaults (docs/reference/cf-v3-tasks.md §2.3): default_app_memory, default_app_disk_in_mb, the log rate. */
export const TASK_DEFAULTS = {
  memoryInMb: 1024,
  diskInMb: 1024,
  logRateLimit: 1_048_576,
} as const;

/** maximum_app_disk_in_mb: checked only when the request names a disk size. */
export const MAX_DISK_IN_MB = 2048;

/** TaskModel::COMMAND_MAX_LENGTH. */
export const COMMAND_MAX_LENGTH = 4096;

/** Terminal tasks are deleted this long after their last change (completed_tasks.cutoff_age_in_days). */
export const TERMINAL_TASK_RETENTION_DAYS = 31;

/** CF's default task name: 8 random hex characters. */
export function randomTaskName(): string {
  return randomBytes(4).toString('hex');
}

/** TASK_NAME_REGEX: one or more printable characters (letters, marks, digits, punctuation, symbols, spaces). */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u;

/** The model validations Cloud Controller runs when it saves the task, in its wording (joined with ", "). */
export function taskModelErrors(input: { name: string; command: string; diskInMb: number | undefined }): string[] {
  const errors: string[] = [];
  if (input.diskInMb !== undefined && input.diskInMb > MAX_DISK_IN_MB) return [`Cannot request disk_in_mb greater than ${MAX_DISK_IN_MB}`];
  if (!PRINTABLE.test(input.name)) errors.push('name is invalid');
  if (input.command.trim() === '') errors.push('command is not present');
  if ([...input.command].length > COMMAND_MAX_LENGTH) errors.push(`command must be shorter than ${COMMAND_MAX_LENGTH + 1} characters`);
  return errors;
}
