/**
 * Sizes and durations as people read them, for every program that prints them (the CLI's commands, `coffer vault`,
 * the agent). One rule for the number of digits: one decimal below 100 of a unit, none above.
 */

/** Decimal units (1 kB = 1000 B) are the CLI's; `coffer vault` prints binary ones (KiB, MiB), as restic does. */
export type ByteUnits = 'decimal' | 'binary';

const SCALES: Record<ByteUnits, { step: number; names: readonly string[] }> = {
  decimal: { step: 1000, names: ['B', 'KB', 'MB', 'GB', 'TB', 'PB'] },
  binary: { step: 1024, names: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] },
};

/** `999 B`, `1.5 GB`, `127 MB` (or `1.5 KiB` with binary units); `-` when there is no number. */
export function formatBytes(bytes: number | null | undefined, units: ByteUnits = 'decimal'): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const { step, names } = SCALES[units];
  let value = bytes;
  let unit = 0;
  while (value >= step && unit < names.length - 1) {
    value /= step;
    unit++;
  }
  // A rate can be a fraction of a byte per second; whole bytes are what people count.
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${names[unit]}`;
}

/** `4s`, `1m 02s`, `1h 02m`; `-` for a negative or unknown span. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
