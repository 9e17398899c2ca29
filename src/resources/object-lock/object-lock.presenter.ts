import type { ObjectLock } from './object-lock.js';

export function presentObjectLock(projectId: string, lock: ObjectLock | null) {
  return { project_id: projectId, enabled: lock !== null, mode: lock?.mode ?? null, days: lock?.days ?? 0 };
}
