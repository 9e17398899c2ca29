import type { ProgressSample } from '../../terminal/progress-meter.js';

/** Reads a `backup_progress` / `restore_progress` event; the file counts are there when the agent sends them. */
export function sampleFromEvent(event: Record<string, unknown>): ProgressSample | undefined {
  const done = num(event.bytes_completed) ?? num(event.bytes_done);
  if (done === undefined) return undefined;
  const remaining = num(event.bytes_remaining);
  const total = num(event.total_bytes) ?? (remaining !== undefined ? done + remaining : undefined);
  const at = typeof event.time === 'string' ? Date.parse(event.time) : Date.now();
  return {
    at: Number.isNaN(at) ? Date.now() : at,
    bytesDone: done,
    bytesTotal: total,
    filesDone: num(event.files_completed) ?? num(event.files_done),
    filesTotal: num(event.total_files) ?? num(event.files_total),
  };
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
