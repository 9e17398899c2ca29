/** ISO-8601 UTC with microseconds, the wire format of Cloud Backup timestamps: 2014-08-05T18:22:22.238641Z. */
export function toWireTime(date: Date): string {
  // toISOString always ends in `.sssZ`: three more zeros make the microseconds.
  return `${date.toISOString().slice(0, -1)}000Z`;
}

export function isoNow(): string {
  return toWireTime(new Date());
}

/** Accepts what agents send (any ISO-8601 date-time) and normalises it to the wire format; null when unparsable. */
export function normaliseTime(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) return null;
  const micro = /\.(\d{1,6})/.exec(value)?.[1] ?? '';
  const parsed = new Date(/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(parsed.getTime())) return null;
  const base = parsed.toISOString().slice(0, 19);
  return `${base}.${micro.padEnd(6, '0')}Z`;
}
