import type { ApiClient } from './api-client.js';
import type { WorkKind } from '../../domain/job-states.js';
import { exitCodeFor, isTerminal, jobPath } from './job-kinds.js';
import { backoffDelay, sleep, type RetryPolicy } from '../../net/retry.js';
import { isTransientFailure } from '../../net/transient-failure.js';
import { counted, paint, paintJobState, paintState } from './output.js';
import { formatBytes, formatDuration } from '../../terminal/units.js';
import { LiveLine } from '../../terminal/live-line.js';
import { ProgressMeter } from '../../terminal/progress-meter.js';
import { sampleFromEvent } from './progress-event.js';
import { JobState } from '../../domain/job-states.js';

const POLL_MS = Number(process.env.COFFER_WATCH_INTERVAL_MS) || 500;

/** Where the watch writes: a terminal gets one redrawn line, anything else one line per update. */
class WatchScreen {
  private readonly bar = new LiveLine(process.stdout, 'lines');
  constructor(private readonly quiet: boolean) {}

  get live(): boolean {
    return this.bar.live;
  }

  progress(line: string): void {
    if (!this.quiet) this.bar.draw(line);
  }

  line(text: string): void {
    if (this.quiet) return;
    // The bar drawn so far stays on its line, above what comes next.
    this.bar.keep();
    process.stdout.write(`${text}\n`);
  }

  end(): void {
    this.bar.keep();
  }
}

/** How the watch rides out a server that went away (a restart, a network cut): growing pauses up to 10 s. */
const RECONNECT: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 250, maxDelayMs: 10_000 };

/**
 * Follows a job until it ends: state changes as lines, progress events as a bar (bytes done/total, rate, ETA,
 * files), then a summary. The exit code is 0 when it completed, 1 otherwise; `quiet` only waits (for --json).
 * A server restart does not end the watch: it says so once, tries again with growing pauses, and goes on.
 */
export async function watchJob(client: ApiClient, kind: WorkKind, id: string, options: { quiet?: boolean } = {}): Promise<{ code: number; job: any }> {
  const screen = new WatchScreen(Boolean(options.quiet));
  const meter = new ProgressMeter();
  let marker: string | undefined;
  let eventsAvailable = kind !== 'task';
  let lastState = '';
  let lastKey = '';
  let interrupted = false;
  let failures = 0;
  const onInterrupt = () => {
    interrupted = true;
  };
  const note = (text: string) => (options.quiet ? process.stderr.write(`${text}\n`) : screen.line(text));
  /** Reads the job's events after the marker into the meter; `wait` makes it a short long poll. */
  const readEvents = async (wait: number | undefined) => {
    const response = await client.get<{ events: Record<string, unknown>[] }>(jobPath(client, kind, id, 'events'), {
      query: { marker, sort_dir: 'asc', limit: 1000, wait },
      accept: [404, 405],
    });
    if (response.status !== 200) eventsAvailable = false;
    for (const event of response.body?.events ?? []) {
      marker = String(event.id);
      if (typeof event.event === 'string' && event.event.endsWith('_progress')) {
        const sample = sampleFromEvent(event);
        if (sample) meter.add(sample);
      }
    }
  };
  process.once('SIGINT', onInterrupt);
  try {
    screen.line(`Watching ${kind} ${id} (Ctrl-C stops watching; the ${kind} goes on)`);
    for (;;) {
      let job: any;
      try {
        // A short long poll: answers as soon as the agent reports, and at least every 2 s for the counters.
        if (eventsAvailable) await readEvents(lastState === '' ? undefined : 2);
        job = (await client.get(jobPath(client, kind, id))).body;
        // The agent's last progress report comes just before its final one: read it before drawing the end.
        if (isTerminal(kind, job.state) && eventsAvailable) await readEvents(undefined);
      } catch (err) {
        // Worth waiting out: no answer at all, or a server that is starting, stopping or overloaded.
        if (!isTransientFailure(err) || interrupted) throw err;
        if (failures === 0) note(`Lost the server (${(err as Error).message}); trying again until it answers (Ctrl-C stops watching).`);
        await sleep(backoffDelay(RECONNECT, failures++));
        continue;
      }
      if (failures > 0) note(`The server answers again after ${counted(failures, 'failed try', 'failed tries')}; still watching.`);
      failures = 0;
      if (job.state === JobState.completed) finalSample(meter, kind, job);
      // Progress first: the last bar (100 %) belongs before the line that says the job ended.
      // A terminal redraws its one line whenever it changes; a log gets a new line only when the counts moved.
      const line = meter.render(filesOf(kind, job));
      const key = screen.live ? line : meter.countsKey(filesOf(kind, job));
      if (line && key !== lastKey) {
        lastKey = key;
        screen.progress(line);
      }
      // A backup waiting in the server's queue shows its place, each time it moves up.
      const shown = typeof job.queue_position === 'number' ? `${job.state} #${job.queue_position}` : job.state;
      if (shown !== lastState) {
        lastState = shown;
        screen.line(`${kind} ${typeof job.queue_position === 'number' ? `${paintJobState(job)}: waiting for a run slot` : paintState(job.state)}`);
      }
      if (isTerminal(kind, job.state)) {
        screen.end();
        if (!options.quiet) for (const text of await summary(client, kind, job)) screen.line(text);
        return { code: exitCodeFor(kind, job.state), job };
      }
      if (interrupted) {
        screen.line(`Stopped watching; ${kind} ${id} is ${job.state}. Stop it with: coffer stop ${id}`);
        return { code: 130, job };
      }
      if (!eventsAvailable) await sleep(POLL_MS);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/**
 * A job that completed did all its work: when no progress report said so (an agent that reports no final
 * progress, or a report lost on the way), the bar is completed from the job's own counters.
 */
function finalSample(meter: ProgressMeter, kind: WorkKind, job: any): void {
  const last = meter.latest;
  if (!last) return;
  const total = kind === 'backup' ? job.bytes_searched : kind === 'restore' ? job.bytes_restored : undefined;
  if (typeof total !== 'number' || (last.bytesDone >= total && last.bytesTotal === total)) return;
  const files = kind === 'backup' ? job.files_searched : job.files_restored;
  const at = Date.parse(job.ended_time ?? '');
  meter.add({ at: Number.isNaN(at) ? Date.now() : Math.max(at, last.at), bytesDone: total, bytesTotal: total, filesDone: files, filesTotal: files });
}

/** Files done so far, from the counters the agent reports on the job itself. */
function filesOf(kind: WorkKind, job: any): { done: number; total?: number } | undefined {
  // Nothing counted yet is left out rather than shown as "files 0".
  if (kind === 'backup' && job.files_backed_up > 0) return { done: job.files_backed_up, total: job.files_searched || undefined };
  if (kind === 'restore' && job.files_restored > 0) return { done: job.files_restored };
  return undefined;
}

function took(job: { started_time?: string | null; ended_time?: string | null }): string {
  if (!job.started_time || !job.ended_time) return '';
  return ` in ${formatDuration(Date.parse(job.ended_time) - Date.parse(job.started_time))}`;
}

/** `after 12s` for a job that ended early (stopped or failed), or nothing when it never started. */
function after(job: { started_time?: string | null; ended_time?: string | null }): string {
  if (!job.started_time || !job.ended_time) return '';
  return ` after ${formatDuration(Date.parse(job.ended_time) - Date.parse(job.started_time))}`;
}

function backupLine(job: any, verdict: string): string {
  const snapshot = job.snapshot_id !== null && job.snapshot_id !== undefined ? `, snapshot ${job.snapshot_id}` : '';
  const files = job.files_searched ?? 0;
  if (job.state === JobState.completed || job.state === JobState.completed_with_errors) {
    return `Backup ${verdict}${took(job)}: ${job.files_backed_up ?? 0} of ${counted(files, 'file')} backed up, ${formatBytes(job.bytes_searched)} in the snapshot, ${formatBytes(job.bytes_backed_up)} added to the vault${snapshot}.`;
  }
  // Stopped, failed, skipped or missed: what it had done before it ended, and that no snapshot was made.
  if (files === 0 && !job.files_backed_up) return `Backup ${verdict}${after(job)}: nothing was backed up.`;
  return `Backup ${verdict}${after(job)}: ${job.files_backed_up ?? 0} of ${counted(files, 'file')} found so far were read (${formatBytes(job.bytes_searched)} found); no snapshot was made.`;
}

function restoreLine(job: any, verdict: string): string {
  const where = job.destination_path ?? 'the original places';
  const skipped = job.files_skipped > 0 ? `; ${counted(job.files_skipped, 'existing file')} left alone (restore with --overwrite to replace them)` : '';
  const ended = job.state === JobState.completed || job.state === JobState.completed_with_errors ? took(job) : after(job);
  if (!job.files_restored && !job.bytes_restored && !job.files_skipped) return `Restore ${verdict}${ended}: nothing was restored to ${where}.`;
  return `Restore ${verdict}${ended}: ${counted(job.files_restored ?? 0, 'file')}, ${formatBytes(job.bytes_restored)} restored to ${where}${skipped}.`;
}

/** The closing lines: what was done and, when something went wrong, the first errors. */
export async function summary(client: ApiClient, kind: WorkKind, job: any): Promise<string[]> {
  const lines: string[] = [];
  const verdict = paintState(job.state);
  switch (kind) {
    case 'backup':
      lines.push(backupLine(job, verdict));
      break;
    case 'restore':
      lines.push(restoreLine(job, verdict));
      break;
    case 'cleanup':
      lines.push(`Cleanup ${verdict}${took(job)}: ${counted((job.snapshot_ids ?? []).length, 'snapshot')} removed, vault ${formatBytes(job.bytes_before)} → ${formatBytes(job.bytes_after)}.`);
      break;
    case 'task': {
      lines.push(`Task ${job.name ?? job.guid} ${verdict}${job.result?.failure_reason ? `: ${job.result.failure_reason}` : ''}.`);
      const output = await client.get(client.v3('tasks', job.guid, 'output'), { accept: [404, 405], text: true });
      if (output.status === 200 && typeof output.body === 'string' && output.body !== '') lines.push(taskOutputText(output.body).trimEnd());
      return lines;
    }
  }
  const count = job.errors?.count ?? 0;
  if (count > 0 || job.errors?.reason) {
    lines.push(paint(`${counted(count, 'error')}${job.errors?.reason ? ` (${job.errors.reason})` : ''}${job.errors?.diagnostics ? `: ${job.errors.diagnostics}` : ''}`, 'red'));
    const details = await client.get(jobPath(client, kind, job.id, 'errors'), { accept: [404] });
    for (const item of (details.body?.list ?? []).slice(0, 5)) lines.push(`  ${errorLine(item)}`);
    if (count > 5) lines.push(`  … ${count - 5} more: coffer errors ${job.id}`);
  }
  return lines;
}

/** One error of a job: the agent's own words about the file first, the type's general description after. */
export function errorLine(item: { path?: string | null; type?: string | null; description?: string; exception?: { description?: string } | null }): string {
  const what = item.exception?.description || item.description || item.type || 'unknown error';
  return item.path ? `${item.path}: ${what}` : what;
}

/** `GET /v3/tasks/{guid}/output` may answer text or JSON with the text inside. */
export function taskOutputText(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === 'string') return parsed;
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      for (const key of ['output', 'text', 'content', 'log']) if (typeof record[key] === 'string') return record[key] as string;
    }
  } catch {
    // plain text
  }
  return body;
}
