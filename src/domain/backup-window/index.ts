/*
 * Backup windows: the time of day a configuration's scheduled backups may run, in its time zone. Pure code, no I/O.
 * A window is [start, end): it opens at start and closes at end; an end before the start crosses midnight. Wall
 * times follow the schedules' daylight-saving rules (see ../schedule): a repeated time is its first occurrence, a
 * skipped time moves on by the length of the jump.
 */
export { WINDOW_OUTSIDE, checkBackupWindow, isInsideWindow, minuteOfDay, windowStateAt, type BackupWindow, type WindowOutside, type WindowState } from './backup-window.js';
