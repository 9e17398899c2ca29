import type { PatchOperation } from './job-runtime.js';

const WORK_DONE = Symbol('workDone');

/**
 * A job that stops or fails part-way still reports what it had done (files and bytes so far), so nobody reads
 * `0 of 0` for a backup that read half the disk. The runner tags the error with those counters and the work queue,
 * which reports the final state, adds them to that report.
 */
export function withWorkDone(err: unknown, operations: PatchOperation[]): unknown {
  const target = err !== null && typeof err === 'object' ? err : new Error(String(err));
  Object.defineProperty(target, WORK_DONE, { value: operations, configurable: true });
  return target;
}

export function workDoneOf(err: unknown): PatchOperation[] {
  if (err === null || typeof err !== 'object') return [];
  return ((err as Record<symbol, unknown>)[WORK_DONE] as PatchOperation[] | undefined) ?? [];
}
