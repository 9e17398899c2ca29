import type { Logger } from 'pino';
import type { AgentApi } from '../agent-api.js';

export interface ProgressNumbers {
  bytesCompleted: number;
  totalBytes: number;
  /** Files read (or written, for a restore) so far, those that failed included. */
  filesCompleted: number;
  /** Files found so far; final once the scan is done. */
  totalFiles: number;
}

/** Posts `<kind>_progress` events every second while a job runs (the contract asks for at least every 2 s). */
export class ProgressTicker {
  private timer: NodeJS.Timeout | undefined;
  private latest: ProgressNumbers = { bytesCompleted: 0, totalBytes: 0, filesCompleted: 0, totalFiles: 0 };
  private sending: Promise<void> | undefined;

  constructor(
    private readonly api: AgentApi,
    private readonly log: Logger,
    private readonly eventName: 'backup_progress' | 'restore_progress',
    private readonly refs: Record<string, unknown>,
    private readonly intervalMs = 1_000,
  ) {}

  update(numbers: ProgressNumbers): void {
    this.latest = numbers;
  }

  /** The numbers last reported by the engine: what a stopped or failed job had done. */
  get numbers(): ProgressNumbers {
    return this.latest;
  }

  start(): void {
    this.send();
    this.timer = setInterval(() => this.send(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Stops ticking and posts the final numbers (a job that ended between two ticks would otherwise show its last
   * bar short of 100 %). Must run before the job's terminal report: the server refuses progress on an ended job.
   */
  async finish(): Promise<void> {
    const wasTicking = this.timer !== undefined;
    this.stop();
    if (!wasTicking) return;
    await this.sending;
    this.send();
    await this.sending;
  }

  private send(): void {
    // A slow server must not pile up progress posts: skip a tick rather than queue it.
    if (this.sending) return;
    const { bytesCompleted, totalBytes, filesCompleted, totalFiles } = this.latest;
    const body = {
      event: this.eventName,
      ...this.refs,
      bytes_completed: bytesCompleted,
      bytes_remaining: Math.max(0, totalBytes - bytesCompleted),
      total_bytes: totalBytes,
      files_completed: filesCompleted,
      total_files: totalFiles,
    };
    this.sending = this.api
      .post(this.api.agentUrl('events'), body, { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } })
      .then(
        () => undefined,
        (err: unknown) => this.log.debug({ err: (err as Error).message }, 'progress event not delivered'),
      )
      .finally(() => {
        this.sending = undefined;
      });
  }
}
