import { phraseToRecurrence, describeRecurrence, isValidTimeZone, ScheduleError } from '../../domain/schedule/index.js';
import { UsageError } from './errors.js';

export interface PathItem {
  type: 'file' | 'folder';
  path: string;
}

/** `/var/www` is a folder (kept with a trailing slash, as the API's examples write folders); `file:/etc/app.conf` is a file. */
export function pathItem(text: string): PathItem {
  if (text.startsWith('file:')) {
    const path = text.slice('file:'.length);
    if (path === '') throw new UsageError(`"${text}" names no file`);
    return { type: 'file', path };
  }
  const path = text.startsWith('folder:') ? text.slice('folder:'.length) : text;
  if (path === '') throw new UsageError('an empty path cannot be backed up');
  return { type: 'folder', path: path.endsWith('/') || path.endsWith('\\') ? path : `${path}/` };
}

export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function checkedTimeZone(timeZone: string): string {
  if (!isValidTimeZone(timeZone)) throw new UsageError(`--tz "${timeZone}" is not an IANA time zone such as Europe/Berlin or UTC`);
  return timeZone;
}

/** `"daily 02:00"`, `"every 2h"`, `"weekly mon,thu 14:00"` (or an RRULE) → the API's schedule; `manual` → null. */
export function scheduleFromFlags(phrase: string, timeZone: string): { recurrence: string[]; time_zone: string } | null {
  checkedTimeZone(timeZone);
  if (/^(manual|none|never)$/i.test(phrase.trim())) return null;
  try {
    return { recurrence: [phraseToRecurrence(phrase)], time_zone: timeZone };
  } catch (error) {
    if (error instanceof ScheduleError) throw new UsageError(`--schedule: ${error.reason}`);
    throw error;
  }
}

/** A schedule as people read it: `daily 02:00 Europe/Berlin`, `manual`. */
export function describeSchedule(schedule: { recurrence?: string[]; time_zone?: string } | null | undefined, options: { zone?: boolean } = {}): string {
  const rule = schedule?.recurrence?.[0];
  if (!rule) return 'manual';
  try {
    return options.zone === false ? describeRecurrence(rule) : `${describeRecurrence(rule)} ${schedule?.time_zone ?? ''}`.trim();
  } catch {
    return rule;
  }
}

export function notificationsFor(emails: string[]): { type: 'email'; destination: string; on_success: boolean; on_failure: boolean }[] {
  for (const email of emails) if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new UsageError(`--notify-email "${email}" is not an e-mail address`);
  return emails.map((destination) => ({ type: 'email', destination, on_success: false, on_failure: true }));
}
