import { nextScheduledTimes } from '../../domain/schedule/index.js';
import type { VerificationSettings } from './verification-settings.message.js';

/** The first scheduled run after `after` (ISO, UTC); null when the schedule is off or runs only on request. */
export function nextVerificationTime(settings: VerificationSettings, createdAt: string, after: Date): string | null {
  if (settings.schedule === null || !settings.enabled) return null;
  const times = nextScheduledTimes(settings.schedule, new Date(createdAt), after, 1);
  return times && times.length > 0 ? times[0]!.toISOString() : null;
}
