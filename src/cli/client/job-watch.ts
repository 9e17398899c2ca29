import type { ApiClient } from './api-client.js';
import { exitCodeFor, isTerminal, jobPath, type JobKind } from './job-kinds.js';
import { formatBytes, formatDuration, paint, paintJobState, paintState } from './output.js';
import { ProgressMeter, sampleFromEvent } from './progress-line.js';

const POLL_MS = Number(process.env.COFFER_WATCH_INTERVAL_MS) || 500;

/** Where the watch writes: a terminal gets one redrawn line, anything else one line per update. */
class WatchScreen {
  private drawn = false;
  constructor(
    private readonly quiet: boolean,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {}

  get live(): boolean {
    return Boolean(this.stream.isTTY);
  }

  progress(line: string): void {
    if (this.quiet) return;
    if (this.live) {
      const width = (this.stream.columns || 80) - 1;
      this.stream.write(`\r\u001b[2K${line.slice(0, width)}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  line(text: string): void {
    if (this.quiet) return;
    // The bar drawn so far stays on its line, above what comes next.
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
    this.stream.write(`${text}\n`);
  }

  end(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a job until it ends: state changes as lines, progress events as a bar (bytes done/total, rate, ETA,
 * files), then a summary. The exit code is 0 when it completed, 1 otherwise; `quiet` only waits (for --json).
 */
export async function watchJob(client: ApiClient, kind: JobKind, id: string, options: { quiet?: boolean } = {}): Promise<{ code: number; job: any }> {
  const screen = new WatchScreen(Boolean(options.quiet));
  const meter = new ProgressMeter();
  let marker: string | undefined;
  let eventsAvailable = kind !== 'task';
  let lastState = '';
  let lastLine = '';
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.once('SIGINT', onInterrupt);
  try {
    screen.line(`Watching ${kind} ${id} (Ctrl-C stops watching; the ${kind} goes on)`);
    for (;;) {
      if (eventsAvailable) {
        // A short long poll: answers as soon as the agent reports, and at least every 2 s for the counters.
        const response = await client.get<{ events: Record<string, unknown>[] }>(jobPath(client, kind, id, 'events'), {
          query: { marker, sort_dir: 'asc', limit: 1000, wait: lastState === '' ? undefined : 2 },
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
      }
      const { body: job } = await client.get(jobPath(client, kind, id));
      // Progress first: the last bar (100 %) belongs before the line that says the job ended.
      const line = meter.render(filesOf(kind, job));
      if (line && line !== lastLine) {
        lastLine = line;
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

/** Files done so far, from the counters the agent reports on the job itself. */
function filesOf(kind: JobKind, job: any): { done: number; total?: number } | undefined {
  // Nothing counted yet is left out rather than shown as "files 0".
  if (kind === 'backup' && job.files_backed_up > 0) return { done: job.files_backed_up, total: job.files_searched || undefined };
  if (kind === 'restore' && job.files_restored > 0) return { done: job.files_restored };
  return undefined;
}

function took(job: { started_time?: string | null; ended_time?: string | null }): string {
  if (!job.started_time || !job.ended_time) return '';
  return ` in ${formatDuration(Date.parse(job.ended_time) - Date.parse(job.started_time))}`;
}

/** The closing lines: what was done and, when something went wrong, the first errors. */
export async function summary(client: ApiClient, kind: JobKind, job: any): Promise<string[]> {
  const lines: string[] = [];
  const verdict = paintState(job.state);
  switch (kind) {
    case 'backup':
      lines.push(
        `Backup ${verdict}${took(job)}: ${job.files_backed_up ?? 0} of ${job.files_searched ?? 0} files, ${formatBytes(job.bytes_backed_up)} backed up of ${formatBytes(job.bytes_searched)} searched${job.snapshot_id !== null && job.snapshot_id !== undefined ? `, snapshot ${job.snapshot_id}` : ''}.`,
      );
      break;
    case 'restore':
      lines.push(`Restore ${verdict}${took(job)}: ${job.files_restored ?? 0} files, ${formatBytes(job.bytes_restored)} restored to ${job.destination_path ?? 'the original places'}.`);
      break;
    case 'cleanup':
      lines.push(`Cleanup ${verdict}${took(job)}: ${(job.snapshot_ids ?? []).length} snapshots removed, vault ${formatBytes(job.bytes_before)} → ${formatBytes(job.bytes_after)}.`);
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
    lines.push(paint(`${count} error${count === 1 ? '' : 's'}${job.errors?.reason ? ` (${job.errors.reason})` : ''}${job.errors?.diagnostics ? `: ${job.errors.diagnostics}` : ''}`, 'red'));
    const details = await client.get(jobPath(client, kind, job.id, 'errors'), { accept: [404] });
    for (const item of (details.body?.list ?? []).slice(0, 5)) lines.push(`  ${item.path ?? '?'}: ${item.description || item.type || ''}`);
    if (count > 5) lines.push(`  … see coffer ${kind}s --json or the console for all ${count}`);
  }
  return lines;
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
