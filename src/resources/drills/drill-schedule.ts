import { nextScheduledTimes, type StoredSchedule } from '../../domain/schedule/index.js';

/** The first scheduled run after `after`, as stored (ISO, UTC); null when the drill runs only on request or is off. */
export function nextRunTime(drill: { schedule: StoredSchedule | null; enabled: boolean; createdAt: string }, after: Date): string | null {
  if (drill.schedule === null || !drill.enabled) return null;
  const times = nextScheduledTimes(drill.schedule, new Date(drill.createdAt), after, 1);
  return times && times.length > 0 ? times[0]!.toISOString() : null;
}
