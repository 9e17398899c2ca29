// The API's RRULE subset (hourly, daily, weekly with BYDAY/BYHOUR/BYMINUTE and INTERVAL), read and written for forms.

export const DAYS = [
  ['MO', 'Mon'],
  ['TU', 'Tue'],
  ['WE', 'Wed'],
  ['TH', 'Thu'],
  ['FR', 'Fri'],
  ['SA', 'Sat'],
  ['SU', 'Sun'],
];

export function parseRule(rule) {
  const fields = Object.fromEntries(
    String(rule ?? '')
      .replace(/^RRULE:/i, '')
      .split(';')
      .filter(Boolean)
      .map((part) => part.split('=').map((s) => s.trim().toUpperCase())),
  );
  return {
    freq: fields.FREQ ?? 'DAILY',
    interval: Number(fields.INTERVAL ?? 1) || 1,
    days: fields.BYDAY ? fields.BYDAY.split(',') : [],
    hour: fields.BYHOUR !== undefined ? Number(fields.BYHOUR) : undefined,
    minute: fields.BYMINUTE !== undefined ? Number(fields.BYMINUTE) : undefined,
  };
}

export function buildRule({ freq, interval, days, hour, minute }) {
  const parts = [`FREQ=${freq}`, `INTERVAL=${interval}`];
  if (freq === 'WEEKLY') parts.push(`BYDAY=${days.join(',')}`);
  if (freq !== 'HOURLY') parts.push(`BYHOUR=${hour}`, `BYMINUTE=${minute}`);
  else if (minute !== undefined) parts.push(`BYMINUTE=${minute}`);
  return `RRULE:${parts.join(';')}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** `daily 02:00 (Europe/Berlin)`, `every 2 hours`, `manual`. */
export function describeSchedule(schedule) {
  const rule = schedule?.recurrence?.[0];
  if (!rule) return 'manual';
  const r = parseRule(rule);
  const at = r.hour !== undefined ? ` ${pad(r.hour)}:${pad(r.minute ?? 0)}` : '';
  let text;
  if (r.freq === 'HOURLY') text = r.interval === 1 ? 'hourly' : `every ${r.interval} hours`;
  else if (r.freq === 'DAILY') text = `${r.interval === 1 ? 'daily' : `every ${r.interval} days`}${at}`;
  else text = `${r.interval === 1 ? 'weekly' : `every ${r.interval} weeks`} ${r.days.map((d) => (DAYS.find(([code]) => code === d) ?? [d, d])[1]).join(',')}${at}`;
  return schedule.time_zone ? `${text} (${schedule.time_zone})` : text;
}
