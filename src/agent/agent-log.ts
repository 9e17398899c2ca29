import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';

/** Cloud Backup log levels → pino levels (`all` is everything). */
export function pinoLevel(level: string | undefined): string {
  if (!level) return 'info';
  if (level === 'all') return 'trace';
  return ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(level) ? level : 'info';
}

/** The agent's log: JSON lines to its own file (what log uploads send) and to stderr. */
/** At start a log larger than this is moved to `<file>.1` (replacing the previous one). */
const ROTATE_AT_BYTES = 64 * 1024 * 1024;

export function openAgentLog(file: string, level = 'info'): Logger {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) > ROTATE_AT_BYTES) fs.renameSync(file, `${file}.1`);
  const streams = pino.multistream([
    { level: 'trace', stream: pino.destination({ dest: file, sync: true, mode: 0o600 }) },
    { level: 'trace', stream: process.stderr },
  ]);
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, streams);
}
