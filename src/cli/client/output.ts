/** Everything a command prints goes through here: tables that fit the terminal, colours only where they belong. */

export interface OutputOptions {
  json: boolean;
}

export type Colour = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold';
const CODES: Record<Colour, [number, number]> = { green: [32, 39], red: [31, 39], yellow: [33, 39], cyan: [36, 39], dim: [2, 22], bold: [1, 22] };

export function coloursWanted(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return Boolean(stream.isTTY);
}

export function paint(text: string, colour: Colour, enabled = coloursWanted()): string {
  if (!enabled) return text;
  const [open, close] = CODES[colour];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Colour of a job, agent or task state word. */
export function stateColour(state: string): Colour | undefined {
  if (/^(completed|succeeded|passed|online|enabled|yes|delivered)$/i.test(state)) return 'green';
  if (/(failed|missed|offline|disabled)$/i.test(state)) return 'red';
  if (/(errors|stopped|skipped|stop_requested|canceling|busy|retry)$/i.test(state)) return 'yellow';
  if (/(in_progress|running|preparing|queued|start_|pending|restoring|checking)/i.test(state)) return 'cyan';
  return undefined;
}

export function paintState(state: string): string {
  const colour = stateColour(state);
  return colour ? paint(state, colour) : state;
}

/** A job's state, with its place in the server's queue while a backup waits there: `queued (#3)`. */
export function paintJobState(job: { state: string; queue_position?: number | null }): string {
  const painted = paintState(job.state);
  return typeof job.queue_position === 'number' ? `${painted} (#${job.queue_position})` : painted;
}

const ANSI = /\u001b\[[0-9;]*m/g;
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

function truncate(text: string, width: number): string {
  const plain = text.replace(ANSI, '');
  if (plain.length <= width) return text;
  if (width <= 1) return plain.slice(0, width);
  return `${plain.slice(0, width - 1)}…`;
}

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Never shortened (ids people copy). */
  keep?: boolean;
  align?: 'right';
}

export function terminalWidth(): number {
  const columns = process.stdout.isTTY ? process.stdout.columns : undefined;
  return columns && columns > 20 ? columns : 80;
}

/** Lays rows out in columns no wider than the terminal (80 when not a terminal), shortening the widest columns. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[], width = terminalWidth()): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row) ?? ''));
  const layout = columns.map((column, i) => ({ column, width: Math.max(column.header.length, ...cells.map((row) => visibleLength(row[i] ?? ''))) }));
  const gap = 2;
  const total = () => layout.reduce((sum, { width: w }) => sum + w, 0) + gap * (columns.length - 1);
  // Narrow the widest shortenable column one character at a time, so the cuts are shared out evenly.
  while (total() > width) {
    let widest: (typeof layout)[number] | undefined;
    for (const slot of layout) {
      if (slot.column.keep || slot.width <= Math.max(6, slot.column.header.length)) continue;
      if (widest === undefined || slot.width > widest.width) widest = slot;
    }
    if (widest === undefined) break;
    widest.width -= 1;
  }
  // Every row has one value per column.
  const line = (values: string[]) =>
    layout
      .map(({ column, width: columnWidth }, i) => {
        const cell = truncate(values[i] ?? '', columnWidth);
        const padding = ' '.repeat(Math.max(0, columnWidth - visibleLength(cell)));
        return column.align === 'right' ? padding + cell : i === layout.length - 1 ? cell : cell + padding;
      })
      .join(' '.repeat(gap))
      .trimEnd();
  const header = paint(line(columns.map((c) => c.header)), 'bold');
  return [header, ...cells.map(line)].join('\n');
}

/** `key: value` lines for one resource. */
export function formatFields(fields: [string, string][]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${paint(`${key}:`.padEnd(width + 1), 'dim')} ${value}`).join('\n');
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** `1 file`, `2 files`, `0 files`: a count with its noun in the right number. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}

interface TimeParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  zone: string;
}

/** A moment's calendar fields and short zone name (`UTC`, `GMT+1`, `EST`) in `timeZone` (default: this computer's). */
function timeParts(date: Date, timeZone?: string): TimeParts {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: knownZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const parts = new Map(format.formatToParts(date).map((part) => [part.type, part.value]));
  const part = (type: Intl.DateTimeFormatPartTypes): string => {
    const value = parts.get(type);
    if (value === undefined) throw new Error(`the date format gave no ${type} for ${date.toISOString()}`);
    return value;
  };
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), zone: parts.get('timeZoneName') ?? '' };
}

/** The zone if this computer knows it; else undefined (its own zone, which is then named). */
function knownZone(timeZone: string | undefined): string | undefined {
  if (timeZone === undefined || timeZone === '') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

function parseTime(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * `12-02 07:15 UTC` this year, `2025-12-02` before: short enough for tables, and never without its zone.
 * `timeZone` shows the time in that zone (a configuration's own) instead of this computer's.
 */
export function formatShortTime(iso: string | null | undefined, timeZone?: string): string {
  const date = parseTime(iso);
  if (!date) return iso ? iso : '-';
  const p = timeParts(date, timeZone);
  if (p.year !== timeParts(new Date(), timeZone).year) return `${p.year}-${p.month}-${p.day}`;
  return `${p.month}-${p.day} ${p.hour}:${p.minute} ${p.zone}`;
}

/** `2026-12-02 07:15 UTC`: in this computer's zone (or `timeZone`), which it names; `-` when there is none. */
export function formatTime(iso: string | null | undefined, timeZone?: string): string {
  const date = parseTime(iso);
  if (!date) return iso ? iso : '-';
  const p = timeParts(date, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.zone}`;
}
