import { instantOfLocalTime, localEpochDay } from '../schedule/index.js';

/** What happens to a running scheduled backup when its window closes. */
export const WINDOW_OUTSIDE = ['pause', 'stop'] as const;
export type WindowOutside = (typeof WINDOW_OUTSIDE)[number];

/**
 * The time of day scheduled backups may run, in the configuration's time zone: from `start` up to (not including)
 * `end`, both `HH:MM`; a window whose end is before its start crosses midnight (22:00–06:00).
 */
export interface BackupWindow {
  start: string;
  end: string;
  outside: WindowOutside;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after midnight of an `HH:MM` time, or undefined when it is not one (00:00 to 23:59). */
export function minuteOfDay(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = TIME_OF_DAY.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * Checks a `backup_window` value (null: none) and names each problem with its path under `at`. `outside` is
 * optional and defaults to `pause`.
 */
export function checkBackupWindow(value: unknown, at = 'backup_window'): { problems: string[]; window: BackupWindow | null } {
  if (value === null || value === undefined) return { problems: [], window: null };
  if (typeof value !== 'object' || Array.isArray(value)) return { problems: [`${at} must be an object with start and end (HH:MM), or null.`], window: null };
  const fields = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(fields)) if (!['start', 'end', 'outside'].includes(key)) problems.push(`${at}.${key} is not a window field; known: start, end, outside.`);
  const start = minuteOfDay(fields.start);
  const end = minuteOfDay(fields.end);
  if (start === undefined) problems.push(`${at}.start must be a time of day HH:MM (00:00 to 23:59).`);
  if (end === undefined) problems.push(`${at}.end must be a time of day HH:MM (00:00 to 23:59).`);
  if (start !== undefined && start === end) problems.push(`${at}.end must differ from ${at}.start (a window open all day is no window: use null).`);
  const outside = fields.outside ?? 'pause';
  if (!(WINDOW_OUTSIDE as readonly unknown[]).includes(outside)) problems.push(`${at}.outside must be one of ${WINDOW_OUTSIDE.join(', ')}.`);
  if (problems.length > 0) return { problems, window: null };
  return { problems, window: { start: fields.start as string, end: fields.end as string, outside: outside as WindowOutside } };
}

/** Where an instant stands: inside the window (until `changesAt`, its close) or outside (until it opens at `changesAt`). */
export interface WindowState {
  inside: boolean;
  changesAt: number;
}

/**
 * The window's openings as instants: the one that opens on local day `day`, from `start` to `end` (on the next day
 * when it crosses midnight). Wall times follow the schedule's daylight-saving rules (instantOfLocalTime): a time
 * that happens twice means its first occurrence, a time skipped by a jump forward moves on by the jump's length.
 * A window that a jump makes empty that day (02:15–02:45 on a 02:00→03:00 night) is empty.
 */
function opening(window: BackupWindow, timeZone: string, day: number): { opens: number; closes: number } {
  const start = minuteOfDay(window.start)!;
  const end = minuteOfDay(window.end)!;
  const opens = instantOfLocalTime(day, start, timeZone);
  const closes = instantOfLocalTime(end > start ? day : day + 1, end, timeZone);
  return { opens, closes };
}

/** Whether `instantMs` is inside the window, and when that changes. */
export function windowStateAt(window: BackupWindow, timeZone: string, instantMs: number): WindowState {
  const today = localEpochDay(instantMs, timeZone);
  // Yesterday's opening may still run (it crosses midnight); later openings come in day order.
  let next = Number.POSITIVE_INFINITY;
  for (let day = today - 1; day <= today + 2; day++) {
    const { opens, closes } = opening(window, timeZone, day);
    if (closes <= opens) continue;
    if (opens <= instantMs && instantMs < closes) return { inside: true, changesAt: closes };
    if (opens > instantMs && opens < next) next = opens;
  }
  return { inside: false, changesAt: next };
}

export function isInsideWindow(window: BackupWindow | null, timeZone: string, instantMs: number): boolean {
  return window === null || windowStateAt(window, timeZone, instantMs).inside;
}
